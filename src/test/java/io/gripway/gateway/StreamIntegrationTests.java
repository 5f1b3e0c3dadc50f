package io.gripway.gateway;

import java.time.Duration;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
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
		origin.route("/json-stream", (request, response) -> response.header("Content-Type", "application/grip-instruct")
			.sendString(Mono.just("""
					{"hold": {"mode": "stream", "channels": [{"name": "json-stream"}]},
					 "response": {"headers": {"Content-Type": "text/plain"}, "body": "hi\\n"}}
					""")));
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

	static void awaitSubscribers(String channel, int count) {
		Await.until(WAIT, () -> gripway.registry().subscriberCount(channel) == count,
				() -> count + " subscribers on '" + channel + "', have " + gripway.registry().subscriberCount(channel));
	}

	static String streamItem(String channel, String content) {
		return "{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{\"http-stream\":{\"content\":\"" + content
				+ "\"}}}]}";
	}

	@Test
	void streamOpensAtOnceAndAppendsPublishesInOrder() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=s1")) {
			stream.awaitReceived("[stream opened]\n", WAIT);
			assertThat(stream.status()).isEqualTo(200);
			assertThat(stream.headers().get("Content-Length")).isNull();
			assertThat(stream.headers().names()).noneMatch(name -> name.toLowerCase().startsWith("grip-"));
			awaitSubscribers("s1", 1);
			for (int i = 1; i <= 20; i++) {
				gripway.publishOk(streamItem("s1", "message " + i + "\\n"));
			}
			stream.awaitReceived("message 20\n", WAIT);
			StringBuilder expected = new StringBuilder("[stream opened]\n");
			for (int i = 1; i <= 20; i++) {
				expected.append("message ").append(i).append('\n');
			}
			assertThat(stream.received()).isEqualTo(expected.toString());
			assertThat(stream.completed()).isFalse();
		}
		awaitSubscribers("s1", 0);
	}

	@Test
	void headersAreFlushedBeforeAnyContent() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/silent?ch=s-silent")) {
			stream.awaitHeaders(WAIT);
			assertThat(stream.status()).isEqualTo(200);
			assertThat(stream.received()).isEmpty();
			awaitSubscribers("s-silent", 1);
			gripway.publishOk(streamItem("s-silent", "first"));
			stream.awaitReceived("first", WAIT);
		}
	}

	@Test
	void sseEventsArriveUnbufferedWithKeepAlives() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/sse?ch=sse1")) {
			stream.awaitReceived(":ok\n\n", WAIT);
			assertThat(stream.headers().get("Content-Type")).startsWith("text/event-stream");
			awaitSubscribers("sse1", 1);
			gripway.publishOk(streamItem("sse1", "event: update\\ndata: {\\\"n\\\":1}\\n\\n"));
			stream.awaitReceived("event: update\ndata: {\"n\":1}\n\n", WAIT);
			// idle for a little over a second: a keep-alive comment follows the event
			stream.awaitReceived("data: {\"n\":1}\n\n:\n\n", WAIT);
		}
	}

	@Test
	void intervalKeepAlivesRepeat() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/interval?ch=ka-interval")) {
			stream.awaitReceived("kaka", WAIT);
		}
	}

	@Test
	void closeActionEndsTheStream() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=s-close")) {
			stream.awaitReceived("[stream opened]\n", WAIT);
			awaitSubscribers("s-close", 1);
			gripway.publishOk(streamItem("s-close", "last words\\n"));
			gripway.publishOk("""
					{"items":[{"channel":"s-close","formats":{"http-stream":{"action":"close","content":""}}}]}
					""");
			stream.awaitEnd(WAIT);
			assertThat(stream.error()).isNull();
			assertThat(stream.received()).isEqualTo("[stream opened]\nlast words\n");
		}
		awaitSubscribers("s-close", 0);
	}

	@Test
	void jsonInstructionStreamsItsBodyThenPublishes() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/json-stream")) {
			stream.awaitReceived("hi\n", WAIT);
			awaitSubscribers("json-stream", 1);
			gripway.publishOk(streamItem("json-stream", "there\\n"));
			stream.awaitReceived("hi\nthere\n", WAIT);
		}
	}

	@Test
	void binaryContentIsWrittenVerbatim() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/silent?ch=s-bin")) {
			stream.awaitHeaders(WAIT);
			awaitSubscribers("s-bin", 1);
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
		awaitSubscribers("s-gone", 1);
		stream.close();
		awaitSubscribers("s-gone", 0);
	}

	@Test
	void streamToAnHttp11ClientIsChunkedAndEndsWithTheLastChunk() throws Exception {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gripway.proxyPort())) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write("GET /silent?ch=s-chunked HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
			java.io.InputStream in = socket.getInputStream();
			String head = readUntil(in, "\r\n\r\n");
			assertThat(head).startsWith("HTTP/1.1 200 ").containsIgnoringCase("transfer-encoding: chunked\r\n");
			assertThat(head.toLowerCase()).doesNotContain("connection: close").doesNotContain("content-length");
			awaitSubscribers("s-chunked", 1);

			gripway.publishOk(streamItem("s-chunked", "hello"));
			assertThat(readUntil(in, "hello\r\n")).isEqualTo("5\r\nhello\r\n");
			gripway.publishOk("{\"items\":[{\"channel\":\"s-chunked\",\"formats\":{\"http-stream\":{\"action\":\"close\"}}}]}");
			assertThat(readUntil(in, "0\r\n\r\n")).isEqualTo("0\r\n\r\n");
		}
	}

	private static String readUntil(java.io.InputStream in, String end) throws java.io.IOException {
		StringBuilder read = new StringBuilder();
		while (read.length() < 64 * 1024 && !read.toString().endsWith(end)) {
			int next = in.read();
			if (next < 0) {
				break;
			}
			read.append((char) next);
		}
		return read.toString();
	}

	@Test
	void clientThatDoesNotReadIsDisconnectedInsteadOfBuffered() throws Exception {
		String chunk = "x".repeat(64 * 1024);
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gripway.proxyPort())) {
			socket.setReceiveBufferSize(4096);
			socket.getOutputStream().write("GET /silent?ch=s-slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
			socket.getOutputStream().flush();
			awaitSubscribers("s-slow", 1);
			// far more than the socket buffers plus the 100-message queue can hold: the node must drop this
			// client rather than keep buffering for it
			for (int i = 0; i < 600 && gripway.registry().subscriberCount("s-slow") > 0; i++) {
				gripway.publishOk(streamItem("s-slow", chunk));
			}
			awaitSubscribers("s-slow", 0);
		}
	}

}
