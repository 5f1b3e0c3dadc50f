package io.gripway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.gripway.hold.Transport;
import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.RawOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request target (path and query) reaches the origin byte for byte, as the client sent it, on every kind of
 * request: signed URLs and HMAC'd query strings break if a proxy reorders, regroups, re-encodes or drops anything.
 * Both ends are raw sockets, so no HTTP library normalises what the test sends or what it sees.
 */
class RequestTargetIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static RawOrigin origin;

	static GripwayInstance gripway;

	/** The channel of the current held request is {@code target-<this>}. */
	static final AtomicInteger channels = new AtomicInteger();

	/** Path and query after the test's own path prefix: each is relayed unchanged. */
	static List<String> targets() {
		return List.of(
				// repeated parameters stay where they were, not grouped with the first
				"/get?a=1&b=two%20words&c=%2Fslash&empty=&a=dup",
				// '+' is not a space here, nor is %2B a '+'
				"/get?q=a+b&r=c%2Bd",
				// nothing escaped at all, '=' in a value, a parameter without one
				"/get?q=a+b&k==v&flag",
				// lower-case escapes are not upper-cased, escaped delimiters not decoded
				"/get?x=%2f%2F%3d%26%3F",
				// non-ASCII, percent-encoded UTF-8
				"/get?name=%C3%A9t%C3%A9&emoji=%F0%9F%98%80",
				// a bare '?' (an empty query is not no query)
				"/get?",
				// empty parameters between separators
				"/get?a&&b",
				// a signed URL: order and padding matter to the signature
				"/get?sig=AbC%2B%2F%3D%3D&expires=1700000000&z=2&a=1",
				// an escaped slash and tilde in the path
				"/seg%2Fment/%7Euser?x=1");
	}

	@BeforeAll
	static void start() {
		origin = new RawOrigin(request -> {
			if (request.target().startsWith("/held")) {
				return "HTTP/1.1 200 OK\r\nGrip-Hold: response\r\nGrip-Channel: target-" + channels.get()
						+ "\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\ntimeout\n";
			}
			if (request.target().startsWith("/ws")) {
				String events = request.bodyText().equals("OPEN\r\n") ? "OPEN\r\n" : "";
				return "HTTP/1.1 200 OK\r\nContent-Type: application/websocket-events\r\nContent-Length: "
						+ events.length() + "\r\n\r\n" + events;
			}
			return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
		});
		gripway = GripwayInstance.start("gripway.origin=" + origin.url());
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	@ParameterizedTest
	@MethodSource("targets")
	void plainRequestTargetReachesTheOriginByteForByte(String target) throws IOException {
		origin.clear();
		try (Socket client = connect()) {
			send(client, "GET /plain" + target + " HTTP/1.1\r\nHost: gripway\r\nConnection: close\r\n\r\n");
			assertThat(origin.next(WAIT).target()).isEqualTo("/plain" + target);
			assertThat(readAll(client)).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nok\n");
		}
	}

	@ParameterizedTest
	@MethodSource("targets")
	void heldRequestTargetReachesTheOriginByteForByte(String target) throws IOException {
		origin.clear();
		String channel = "target-" + channels.incrementAndGet();
		try (Socket client = connect()) {
			send(client, "GET /held" + target + " HTTP/1.1\r\nHost: gripway\r\nConnection: close\r\n\r\n");
			assertThat(origin.next(WAIT).target()).isEqualTo("/held" + target);
			Await.until(WAIT, () -> gripway.registry().subscriberCount(channel) == 1, () -> "held on " + channel);
			gripway.publishOk("{\"items\":[{\"channel\":\"" + channel
					+ "\",\"formats\":{\"http-response\":{\"body\":\"released\\n\"}}}]}");
			assertThat(readAll(client)).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nreleased\n");
		}
	}

	@ParameterizedTest
	@MethodSource("targets")
	void webSocketOverHttpPostsCarryTheClientsTargetByteForByte(String target) throws IOException {
		origin.clear();
		try (Socket client = connect()) {
			send(client, "GET /ws" + target + " HTTP/1.1\r\nHost: gripway\r\nUpgrade: websocket\r\n"
					+ "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
					+ "Sec-WebSocket-Version: 13\r\n\r\n");
			RawOrigin.Request open = origin.next(WAIT);
			assertThat(open.requestLine()).isEqualTo("POST /ws" + target + " HTTP/1.1");
			assertThat(open.bodyText()).isEqualTo("OPEN\r\n");
			assertThat(RawOrigin.readLine(client.getInputStream())).isEqualTo("HTTP/1.1 101 Switching Protocols");
		}
		// the client vanished: its DISCONNECT goes to the same target
		RawOrigin.Request disconnect = origin.next(WAIT);
		assertThat(disconnect.requestLine()).isEqualTo("POST /ws" + target + " HTTP/1.1");
		assertThat(disconnect.bodyText()).isEqualTo("DISCONNECT\r\n");
		Await.until(WAIT, () -> gripway.registry().heldCount(Transport.WEBSOCKET) == 0, () -> "no WebSocket held");
	}

	static Socket connect() throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), gripway.proxyPort());
		socket.setSoTimeout((int) WAIT.toMillis());
		return socket;
	}

	static void send(Socket socket, String request) throws IOException {
		socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
		socket.getOutputStream().flush();
	}

	static String readAll(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
	}

}
