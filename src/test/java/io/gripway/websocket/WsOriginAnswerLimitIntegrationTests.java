package io.gripway.websocket;

import java.time.Duration;
import java.util.List;

import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import io.gripway.test.TestOrigin;
import io.gripway.test.WsClient;
import io.gripway.websocket.WebSocketOverHttpIntegrationTests.Event;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebSocket-over-HTTP origin's answers are bounded by {@code gripway.websocket.max-response-body}, not by the
 * long-poll setting {@code gripway.hold.max-response-body} they used to borrow.
 */
@ExtendWith(NettyLeakCheck.class)
class WsOriginAnswerLimitIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		// answers OPEN, then each TEXT "n" with a TEXT of n bytes
		origin.route("/sized", (request, response) -> {
			List<Event> out = WebSocketOverHttpIntegrationTests.decode(bodyOf(request))
				.stream()
				.map(event -> switch (event.type()) {
					case "OPEN" -> event;
					case "TEXT" -> new Event("TEXT", "x".repeat(Integer.parseInt(event.content())));
					default -> Event.of("NOOP");
				})
				.filter(event -> !event.type().equals("NOOP"))
				.toList();
			return response.status(200)
				.header("Content-Type", WebSocketOverHttpIntegrationTests.EVENTS)
				.sendByteArray(Mono.just(WebSocketOverHttpIntegrationTests.encode(out)));
		});
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.hold.max-response-body=200B",
				"gripway.websocket.max-response-body=4000B", "gripway.websocket.retry-base=20ms",
				"gripway.websocket.max-retries=1");
	}

	/** The POST being answered: the latest of its connection (one is outstanding per connection). */
	static byte[] bodyOf(HttpServerRequest request) {
		String id = request.requestHeaders().get("Connection-Id");
		List<TestOrigin.Received> received = origin.received();
		for (int i = received.size() - 1; i >= 0; i--) {
			if (id != null && id.equals(received.get(i).headers().get("Connection-Id"))) {
				return received.get(i).body();
			}
		}
		return new byte[0];
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	@Test
	void answerOverTheLongPollLimitButWithinTheWebSocketLimitIsDelivered() {
		try (WsClient client = WsClient.connect("ws://127.0.0.1:" + gripway.proxyPort() + "/sized")) {
			client.sendText("1000");
			assertThat(client.next(WAIT).text()).isEqualTo("x".repeat(1000));
		}
	}

	@Test
	void answerOverTheWebSocketLimitClosesTheClientWith1011AfterItsRetries() {
		try (WsClient client = WsClient.connect("ws://127.0.0.1:" + gripway.proxyPort() + "/sized")) {
			client.sendText("8000");
			assertThat(client.awaitCloseStatus(WAIT).code()).isEqualTo(1011);
		}
	}

}
