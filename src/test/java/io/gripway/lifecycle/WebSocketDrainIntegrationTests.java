package io.gripway.lifecycle;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.TestOrigin;
import io.gripway.test.WsClient;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** A drain closes held WebSockets with 1012 "service restart", so their clients reconnect to another replica. */
class WebSocketDrainIntegrationTests {

	@Test
	void drainClosesWebSocketsWithServiceRestart() throws Exception {
		try (TestOrigin origin = new TestOrigin()) {
			// a WebSocket-over-HTTP origin that accepts and subscribes the connection to "drain-ws"
			String subscribe = "c:{\"type\":\"subscribe\",\"channel\":\"drain-ws\"}";
			String events = "OPEN\r\nTEXT " + Integer.toHexString(subscribe.getBytes(StandardCharsets.UTF_8).length)
					+ "\r\n" + subscribe + "\r\n";
			origin.route("/ws", (request, response) -> response.header("Content-Type", "application/websocket-events")
				.header("Sec-WebSocket-Extensions", "grip")
				.sendString(Mono.just(request.requestHeaders().get("Content-Length", "0").equals("0") ? "" : events)));
			GripwayInstance gripway = GripwayInstance.start("gripway.origin=" + origin.url(),
					"gripway.drain.window=1s");
			try (WsClient client = WsClient.connect("ws://127.0.0.1:" + gripway.proxyPort() + "/ws")) {
				Await.until("subscribed", Duration.ofSeconds(10),
						() -> gripway.registry().subscriberCount("drain-ws") == 1);
				CompletableFuture<Void> shutdown = CompletableFuture.runAsync(gripway::close);
				WebSocketCloseStatus status = client.awaitCloseStatus(Duration.ofSeconds(15));
				assertThat(status.code()).isEqualTo(1012);
				shutdown.get();
			}
		}
	}

}
