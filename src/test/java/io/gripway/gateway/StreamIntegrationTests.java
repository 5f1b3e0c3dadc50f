package io.gripway.gateway;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import io.gripway.test.GripwayInstance;
import io.gripway.test.PublishJson;
import io.gripway.test.RawSocket;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** Stream holds (HTTP streaming and SSE): opened at once, appended to by publishes, ended by close or the client. */
class StreamIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", channelOf(request.uri()))
			.header("Content-Type", "text/plain")
			.header("Content-Length", "16")
			.sendString(Mono.just("[stream opened]\n")));
		origin.route("/silent", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", channelOf(request.uri()))
			.header("Content-Type", "text/plain")
			.send());
		origin.route("/sse", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", channelOf(request.uri()))
			.header("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=1")
			.header("Content-Type", "text/event-stream")
			.sendString(Mono.just(":ok\n\n")));
		origin.route("/interval", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", channelOf(request.uri()))
			.header("Grip-Keep-Alive", "ka; timeout=1; mode=interval")
			.send());
		origin.route("/idle", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", channelOf(request.uri()))
			.header("Grip-Keep-Alive", "ka; timeout=1; mode=idle")
			.send());
		origin.route("/json-stream", (request, response) -> response.header("Content-Type", "application/grip-instruct")
			.sendString(Mono.just("""
					{"hold": {"mode": "stream", "channels": [{"name": "json-stream"}]},
					 "response": {"headers": {"Content-Type": "text/plain"}, "body": "hi\\n"}}
					""")));
		origin.route("/plain", (request, response) -> response.header("Content-Type", "text/plain")
			.sendString(Mono.just("plain\n")));
		gripway = GripwayInstance.start("gripway.origin=" + origin.url());
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	static String channelOf(String uri) {
		int at = uri.indexOf("ch=");
		return (at < 0) ? "test" : uri.substring(at + 3);
	}

	@Test
	void streamOpensAtOnceAndAppendsPublishesInOrder() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=s1")) {
			stream.awaitReceived("[stream opened]\n", WAIT);
			assertThat(stream.status()).isEqualTo(200);
			assertThat(stream.headers().get("Content-Length")).isNull();
			assertThat(stream.headers().names()).noneMatch(name -> name.toLowerCase().startsWith("grip-"));
			gripway.awaitSubscribers("s1", 1);
			for (int i = 1; i <= 20; i++) {
				gripway.publishOk(PublishJson.stream("s1", "message " + i + "\\n"));
			}
			stream.awaitReceived("message 20\n", WAIT);
			StringBuilder expected = new StringBuilder("[stream opened]\n");
			for (int i = 1; i <= 20; i++) {
				expected.append("message ").append(i).append('\n');
			}
			assertThat(stream.received()).isEqualTo(expected.toString());
			assertThat(stream.completed()).isFalse();
		}
		gripway.awaitSubscribers("s1", 0);
	}

	@Test
	void headersAreFlushedBeforeAnyContent() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/silent?ch=s-silent")) {
			stream.awaitHeaders(WAIT);
			assertThat(stream.status()).isEqualTo(200);
			assertThat(stream.received()).isEmpty();
			gripway.awaitSubscribers("s-silent", 1);
			gripway.publishOk(PublishJson.stream("s-silent", "first"));
			stream.awaitReceived("first", WAIT);
		}
	}

	@Test
	void sseEventsArriveUnbufferedWithKeepAlives() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/sse?ch=sse1")) {
			stream.awaitReceived(":ok\n\n", WAIT);
			assertThat(stream.headers().get("Content-Type")).startsWith("text/event-stream");
			gripway.awaitSubscribers("sse1", 1);
			gripway.publishOk(PublishJson.stream("sse1", "event: update\\ndata: {\\\"n\\\":1}\\n\\n"));
			stream.awaitReceived("event: update\ndata: {\"n\":1}\n\n", WAIT);
			// idle for a little over a second: a keep-alive comment follows the event
			stream.awaitReceived("data: {\"n\":1}\n\n:\n\n", WAIT);
		}
	}

	@Test
	void intervalKeepAlivesAreSentEvenWhileContentFlows() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/interval?ch=ka-interval")) {
			gripway.awaitSubscribers("ka-interval", 1);
			// never a second without content: an idle-mode keep-alive would never be due
			publishEvery(Duration.ofMillis(200), Duration.ofMillis(2500), "ka-interval");
			assertThat(stream.received()).as("keep-alives between the messages").contains("m|ka");
		}
	}

	@Test
	void idleKeepAlivesWaitForTheStreamToGoQuiet() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/idle?ch=ka-idle")) {
			gripway.awaitSubscribers("ka-idle", 1);
			publishEvery(Duration.ofMillis(200), Duration.ofMillis(2500), "ka-idle");
			assertThat(stream.received()).as("no keep-alive while content flows").doesNotContain("ka");
			stream.awaitReceived("m|ka", WAIT);
		}
	}

	/** Publishes {@code m|} to {@code channel} every {@code period} for {@code total}. */
	private static void publishEvery(Duration period, Duration total, String channel) {
		long end = System.nanoTime() + total.toNanos();
		while (System.nanoTime() < end) {
			gripway.publishOk(PublishJson.stream(channel, "m|"));
			LockSupport.parkNanos(period.toNanos());
		}
	}

	@Test
	void closeActionEndsTheStream() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=s-close")) {
			stream.awaitReceived("[stream opened]\n", WAIT);
			gripway.awaitSubscribers("s-close", 1);
			gripway.publishOk(PublishJson.stream("s-close", "last words\\n"));
			gripway.publishOk("""
					{"items":[{"channel":"s-close","formats":{"http-stream":{"action":"close","content":""}}}]}
					""");
			stream.awaitEnd(WAIT);
			assertThat(stream.error()).isNull();
			assertThat(stream.received()).isEqualTo("[stream opened]\nlast words\n");
		}
		gripway.awaitSubscribers("s-close", 0);
	}

	@Test
	void jsonInstructionStreamsItsBodyThenPublishes() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/json-stream")) {
			stream.awaitReceived("hi\n", WAIT);
			gripway.awaitSubscribers("json-stream", 1);
			gripway.publishOk(PublishJson.stream("json-stream", "there\\n"));
			stream.awaitReceived("hi\nthere\n", WAIT);
		}
	}

	@Test
	void binaryContentIsWrittenVerbatim() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/silent?ch=s-bin")) {
			stream.awaitHeaders(WAIT);
			gripway.awaitSubscribers("s-bin", 1);
			gripway.publishOk("""
					{"items":[{"channel":"s-bin","formats":{"http-stream":{"content-bin":"YmluYXJ5Cg=="}}}]}
					""");
			stream.awaitReceived("binary\n", WAIT);
		}
	}

	@Test
	void clientDisconnectReleasesTheStream() {
		StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=s-gone");
		stream.awaitReceived("[stream opened]\n", WAIT);
		gripway.awaitSubscribers("s-gone", 1);
		stream.close();
		gripway.awaitSubscribers("s-gone", 0);
	}

	@Test
	void streamToAnHttp11ClientIsChunkedAndEndsWithTheLastChunk() throws Exception {
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort())) {
			socket.send("GET /silent?ch=s-chunked HTTP/1.1\r\nHost: x\r\n\r\n");
			String head = socket.readHead();
			assertThat(head).startsWith("HTTP/1.1 200 ").containsIgnoringCase("transfer-encoding: chunked\r\n");
			assertThat(head.toLowerCase()).doesNotContain("connection: close").doesNotContain("content-length");
			gripway.awaitSubscribers("s-chunked", 1);

			gripway.publishOk(PublishJson.stream("s-chunked", "hello"));
			assertThat(socket.readUntil("hello\r\n")).isEqualTo("5\r\nhello\r\n");
			gripway.publishOk(PublishJson.streamClose("s-chunked"));
			assertThat(socket.readUntil("0\r\n\r\n")).isEqualTo("0\r\n\r\n");
		}
	}

	/**
	 * Chunks of a plain HTTP/1.1 stream are framed beneath the codec (Http1ChunkWriter); the codec, which wrote the
	 * head, still writes the last chunk and then serves the connection's next request.
	 */
	@Test
	void aStreamsChunksOfAnySizeLeaveTheConnectionReadyForTheNextRequest() {
		String large = "L".repeat(3000);
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort())) {
			socket.send("GET /silent?ch=s-next HTTP/1.1\r\nHost: x\r\n\r\n");
			socket.readHead();
			gripway.awaitSubscribers("s-next", 1);
			gripway.publishOk(PublishJson.stream("s-next", "hello"));
			assertThat(socket.readUntil("hello\r\n")).isEqualTo("5\r\nhello\r\n");
			gripway.publishOk(PublishJson.stream("s-next", large));
			assertThat(socket.readUntil(large + "\r\n")).isEqualTo("bb8\r\n" + large + "\r\n");
			gripway.publishOk(PublishJson.streamClose("s-next"));
			assertThat(socket.readUntil("0\r\n\r\n")).isEqualTo("0\r\n\r\n");

			socket.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(socket.readHead()).startsWith("HTTP/1.1 200 ");
			assertThat(socket.readUntil("plain\n")).isEqualTo("plain\n");
		}
	}

	/** The answer to a {@code HEAD} has no body, however much is published to it (the codec keeps it empty). */
	@Test
	void aHeadRequestForAStreamGetsNoBody() {
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort())) {
			socket.send("HEAD /silent?ch=s-head HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(socket.readHead()).startsWith("HTTP/1.1 200 ");
			gripway.awaitSubscribers("s-head", 1);
			gripway.publishOk(PublishJson.stream("s-head", "not for a HEAD"));
			gripway.publishOk(PublishJson.streamClose("s-head"));
			gripway.awaitSubscribers("s-head", 0);

			socket.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(socket.readHead()).as("the next bytes are the next response's").startsWith("HTTP/1.1 200 ");
		}
	}

	@Test
	void clientThatDoesNotReadIsDisconnectedInsteadOfBuffered() throws Exception {
		String chunk = "x".repeat(64 * 1024);
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort()).receiveBuffer(4096)) {
			socket.send("GET /silent?ch=s-slow HTTP/1.1\r\nHost: x\r\n\r\n");
			gripway.awaitSubscribers("s-slow", 1);
			// far more than the socket buffers plus the 100-message queue can hold: the node must drop this
			// client rather than keep buffering for it
			for (int i = 0; i < 600 && gripway.registry().subscriberCount("s-slow") > 0; i++) {
				gripway.publishOk(PublishJson.stream("s-slow", chunk));
			}
			gripway.awaitSubscribers("s-slow", 0);
		}
	}

}
