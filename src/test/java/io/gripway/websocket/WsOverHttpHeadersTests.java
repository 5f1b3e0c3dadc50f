package io.gripway.websocket;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** The headers of WebSocket-over-HTTP requests and of the client's 101 (reference §4.2). */
class WsOverHttpHeadersTests {

	static HttpHeaders headers(String... namesAndValues) {
		HttpHeaders headers = new HttpHeaders();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			headers.add(namesAndValues[i], namesAndValues[i + 1]);
		}
		return headers;
	}

	@Test
	void postReplaysFilteredHeadersLessHandshakeAndMetaWithAFreshSignature() {
		// as the gateway's header filters leave them: forwarded headers and Gripway's Grip-* in, the client's out
		HttpHeaders filtered = headers("Host", "example.com", "Sec-WebSocket-Key", "k", "Sec-WebSocket-Version", "13",
				"Sec-WebSocket-Extensions", "permessage-deflate", "Sec-WebSocket-Protocol", "chat", "Accept", "*/*",
				"Connection-Id", "forged", "Meta-User", "forged", "Grip-Sig", "signed-at-handshake",
				"Grip-Feature", "status", "X-Forwarded-For", "10.0.0.1", "Cookie", "a=b");
		HttpHeaders post = WsOverHttpHeaders.request(filtered, "id-1", Map.of("User", "alice"), "token");
		assertThat(post.toSingleValueMap()).containsOnly(Map.entry("Sec-WebSocket-Protocol", "chat"),
				Map.entry("Cookie", "a=b"), Map.entry("X-Forwarded-For", "10.0.0.1"), Map.entry("Grip-Feature", "status"),
				Map.entry("Sec-WebSocket-Extensions", "grip"), Map.entry("Grip-Sig", "token"),
				Map.entry("Accept", "application/websocket-events"),
				Map.entry("Content-Type", "application/websocket-events"), Map.entry("Connection-Id", "id-1"),
				Map.entry("Meta-User", "alice"));
		assertThat(WsOverHttpHeaders.request(filtered, "id-1", Map.of(), null).containsHeader("Grip-Sig")).isFalse();
	}

	@Test
	void webSocketHandshakeOffersGripAndLeavesTheSubprotocolToTheHandshake() {
		HttpHeaders origin = WsOverHttpHeaders.webSocket(headers("Sec-WebSocket-Protocol", "chat",
				"Sec-WebSocket-Extensions", "x", "Cookie", "a=b", "Grip-Feature", "status", "Grip-Sig", "old"), "t");
		assertThat(origin.toSingleValueMap()).containsOnly(Map.entry("Cookie", "a=b"), Map.entry("Grip-Feature", "status"),
				Map.entry("Sec-WebSocket-Extensions", "grip"), Map.entry("Grip-Sig", "t"));
	}

	@Test
	void clientsHandshakeGetsTheOriginsHeadersLessThoseAboutThePost() {
		HttpHeaders client = WsOverHttpHeaders.forClient(headers("Content-Type", WsEvents.CONTENT_TYPE,
				"Content-Length", "6", "Keep-Alive-Interval", "30", "Set-Meta-User", "alice",
				"Sec-WebSocket-Extensions", "grip", "Set-Cookie", "s=1"));
		assertThat(client.toSingleValueMap()).containsOnly(Map.entry("Set-Cookie", "s=1"));
	}

	@Test
	void setMetaBindsAndAnEmptyValueDeletes() {
		Map<String, String> meta = new LinkedHashMap<>(Map.of("Old", "1"));
		WsOverHttpHeaders.applySetMeta(headers("Set-Meta-User", "alice", "Set-Meta-Old", ""), meta);
		assertThat(meta).containsExactly(Map.entry("User", "alice"));
	}

	@Test
	void keepAliveIntervalHasAMinimumOfTwentySeconds() {
		assertThat(WsOverHttpHeaders.keepAliveInterval(headers("Keep-Alive-Interval", "5"))).isEqualTo(20);
		assertThat(WsOverHttpHeaders.keepAliveInterval(headers("Keep-Alive-Interval", "45"))).isEqualTo(45);
		assertThat(WsOverHttpHeaders.keepAliveInterval(headers("Keep-Alive-Interval", "soon"))).isNull();
		assertThat(WsOverHttpHeaders.keepAliveInterval(headers())).isNull();
	}

	@Test
	void gripExtensionIsFoundAmongOthersAndWithParameters() {
		assertThat(WsOverHttpHeaders.namesGrip(List.of("permessage-deflate, grip; message-prefix=\"\""))).isTrue();
		assertThat(WsOverHttpHeaders.namesGrip(List.of("gripper"))).isFalse();
		assertThat(WsOverHttpHeaders.namesGrip(null)).isFalse();
	}

}
