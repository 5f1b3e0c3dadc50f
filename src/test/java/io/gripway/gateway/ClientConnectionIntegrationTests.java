package io.gripway.gateway;

import java.time.Duration;
import java.util.Locale;

import io.gripway.test.GripwayInstance;
import io.gripway.test.PublishJson;
import io.gripway.test.RawSocket;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's connection around a held request, seen on the wire: an HTTP/1.0 client gets a close-delimited stream
 * (no chunk framing it cannot read) with the published content; a keep-alive connection whose long-poll was released
 * serves the client's next requests.
 */
class ClientConnectionIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", channel(request.uri()))
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("open\n")));
		origin.route("/lp", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", channel(request.uri()))
			.header("Grip-Timeout", "1")
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("timed out\n")));
		origin.route("/hello", (request, response) -> response.sendString(Mono.just("hello\n")));
		gripway = GripwayInstance.start("gripway.origin=" + origin.url());
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	static String channel(String uri) {
		return uri.substring(uri.indexOf("ch=") + 3);
	}

	@Test
	void http10ClientGetsACloseDelimitedStreamWithThePublishedContent() {
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort())) {
			socket.send("GET /stream?ch=http10 HTTP/1.0\r\nHost: gripway\r\n\r\n");
			String head = socket.readHead().toLowerCase(Locale.ROOT);
			assertThat(head).startsWith("http/1.").contains(" 200 ");
			// an HTTP/1.0 client cannot read chunks, and no length is known: the body ends with the connection
			assertThat(head).doesNotContain("transfer-encoding").doesNotContain("content-length");
			assertThat(head).doesNotContain("connection: keep-alive");
			// the bytes as they are: chunk framing would put a size line before them
			assertThat(socket.readUntil("open\n")).isEqualTo("open\n");
			gripway.awaitSubscribers("http10", 1);

			gripway.publishOk(PublishJson.stream("http10", "published\\n"));
			assertThat(socket.readUntil("published\n")).isEqualTo("published\n");

			gripway.publishOk(PublishJson.streamClose("http10"));
			// the end of the body is the end of the connection, with no last-chunk before it
			assertThat(socket.readToEnd()).isEmpty();
		}
		gripway.awaitSubscribers("http10", 0);
	}

	@Test
	void keepAliveConnectionServesTheNextRequestsAfterAReleasedLongPoll() {
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort())) {
			socket.send("GET /lp?ch=reuse HTTP/1.1\r\nHost: gripway\r\n\r\n");
			gripway.awaitSubscribers("reuse", 1);
			gripway.publishOk(PublishJson.response("reuse", "released\\n"));
			String head = socket.readHead().toLowerCase(Locale.ROOT);
			assertThat(head).startsWith("http/1.1 200").contains("content-length: 9").doesNotContain("connection: close");
			assertThat(socket.readUntil("released\n")).isEqualTo("released\n");

			// the same connection: a second long-poll, released this time by its timeout
			socket.send("GET /lp?ch=reuse-2 HTTP/1.1\r\nHost: gripway\r\n\r\n");
			head = socket.readHead().toLowerCase(Locale.ROOT);
			assertThat(head).startsWith("http/1.1 200").contains("content-length: 10").doesNotContain("connection: close");
			assertThat(socket.readUntil("timed out\n")).isEqualTo("timed out\n");

			// and still the same connection: a plain proxied request
			socket.send("GET /hello HTTP/1.1\r\nHost: gripway\r\n\r\n");
			assertThat(socket.readHead().toLowerCase(Locale.ROOT)).startsWith("http/1.1 200");
			assertThat(socket.readUntil("hello\n")).isEqualTo("hello\n");
		}
	}

}
