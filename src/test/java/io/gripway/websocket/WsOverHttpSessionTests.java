package io.gripway.websocket;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.gripway.bus.MessageBuses;
import io.gripway.hold.HoldLimits;
import io.gripway.hold.HoldRegistry;
import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.WsMessageFormat;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One WebSocket-over-HTTP session against a local origin, without the rest of Gripway: how failed POSTs are retried.
 */
class WsOverHttpSessionTests {

	static TestOrigin origin;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		// accepts the WebSocket, then fails every POST after it, as an origin that went down
		origin.route("/down", (request, response) -> {
			if (origin.lastReceived().bodyText().equals("OPEN\r\n")) {
				return response.status(200).header("Content-Type", WsEvents.CONTENT_TYPE).sendString(Mono.just("OPEN\r\n"));
			}
			return response.status(503).sendString(Mono.just("down\n"));
		});
	}

	@AfterAll
	static void stop() {
		origin.close();
	}

	@Test
	void retryWaitsDoubleUpToTheMaximumBackoff() {
		// uncapped, twelve doublings of 10 ms would wait 41 s in all; capped at 50 ms, about half a second
		WsOverHttpSettings settings = new WsOverHttpSettings(WebSocketMode.OVER_HTTP, Duration.ofMillis(10), 12, 100,
				100_000, 200_000, Duration.ofMillis(50));
		WsOverHttpSession session = new WsOverHttpSession(URI.create(origin.url() + "/down"), new HttpHeaders(),
				new OriginPoster(HttpClient.create(), null, 100_000),
				new HoldRegistry(MessageBuses.local(10), HoldLimits.DEFAULTS), Schedulers.parallel(), settings, "");
		OriginReply open = session.open().block(Duration.ofSeconds(5));
		session.accepted(Objects.requireNonNull(open), List.of());
		session.start(() -> {
		});
		long started = System.nanoTime();
		session.fromClient(new WsEvent(WsEvent.Type.TEXT, Content.adopt("x".getBytes(StandardCharsets.UTF_8))))
			.block();

		WsMessageFormat close = session.hold()
			.frames()
			.filter(frame -> frame.action() == Action.CLOSE)
			.blockFirst(Duration.ofSeconds(10));
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		session.end();

		assertThat(close).isNotNull();
		assertThat(close.closeCode()).isEqualTo(1011);
		// OPEN, the first try and its twelve retries
		assertThat(origin.received().stream().filter(r -> r.uri().equals("/down"))).hasSize(1 + 1 + 12);
		// at least the jittered minimum of each wait (10, 20, 40, then 50 ms)
		assertThat(took).isGreaterThan(Duration.ofMillis(10 + 20 + 40));
	}

}
