package io.gripway.gateway;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import io.gripway.test.PublishJson;
import io.gripway.test.TestOrigin;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Held writes go through Netty's HTTP codecs like the rest of a response: a gzip-accepting client of a node with
 * {@code server.compression.enabled} gets one valid gzip stream, published content included, and an h2c client gets
 * its stream as HTTP/2 DATA frames.
 */
@ExtendWith(NettyLeakCheck.class)
class HeldWriteCodecIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", StreamIntegrationTests.channelOf(request.uri()))
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("[stream opened]\n")));
		origin.route("/poll", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", StreamIntegrationTests.channelOf(request.uri()))
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("timed out\n")));
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(), "server.compression.enabled=true",
				"server.compression.mime-types=text/plain", "server.compression.min-response-size=0",
				"server.http2.enabled=true");
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	@Test
	void compressedStreamIsOneValidGzipStreamWithThePublishedContent() throws IOException {
		RawStream stream = new RawStream(HttpClient.create(ConnectionProvider.newConnection())
			.headers(headers -> headers.set("Accept-Encoding", "gzip")), "/stream?ch=gz");
		try {
			awaitSubscribers("gz");
			gripway.publishOk(PublishJson.stream("gz", "one\\n"));
			// each chunk is flushed through the compressor: the client can read it before the stream ends
			Await.until(WAIT, () -> gunzipPrefix(stream.bytes()).contains("one\n"),
					() -> "'one' in the gzip stream, got " + gunzipPrefix(stream.bytes()) + stream.failure());
			gripway.publishOk(PublishJson.stream("gz", "two\\n"));
			gripway.publishOk(close("gz"));
			stream.awaitEnd();
			assertThat(stream.headers.get("Content-Encoding")).isEqualTo("gzip");
			assertThat(gunzip(stream.bytes())).isEqualTo("[stream opened]\none\ntwo\n");
		}
		finally {
			stream.dispose();
		}
	}

	@Test
	void h2cClientGetsTheStreamAndItsEnd() {
		RawStream stream = new RawStream(HttpClient.create(ConnectionProvider.newConnection())
			.protocol(HttpProtocol.H2C), "/stream?ch=h2");
		try {
			awaitSubscribers("h2");
			gripway.publishOk(PublishJson.stream("h2", "one\\n"));
			Await.until(WAIT, () -> stream.text().contains("one\n"),
					() -> "'one' on the h2c stream, got '" + stream.text() + "'" + stream.failure());
			gripway.publishOk(PublishJson.stream("h2", "two\\n"));
			gripway.publishOk(close("h2"));
			stream.awaitEnd();
			assertThat(stream.version).isEqualTo("HTTP/2.0");
			assertThat(stream.text()).isEqualTo("[stream opened]\none\ntwo\n");
		}
		finally {
			stream.dispose();
		}
	}

	@Test
	void compressedStreamOverH2cIsOneValidGzipStream() throws IOException {
		RawStream stream = new RawStream(HttpClient.create(ConnectionProvider.newConnection())
			.protocol(HttpProtocol.H2C)
			.headers(headers -> headers.set("Accept-Encoding", "gzip")), "/stream?ch=h2gz");
		try {
			awaitSubscribers("h2gz");
			gripway.publishOk(PublishJson.stream("h2gz", "one\\n"));
			Await.until(WAIT, () -> gunzipPrefix(stream.bytes()).contains("one\n"),
					() -> "'one' in the gzip stream, got " + gunzipPrefix(stream.bytes()) + stream.failure());
			gripway.publishOk(close("h2gz"));
			stream.awaitEnd();
			assertThat(stream.version).isEqualTo("HTTP/2.0");
			assertThat(stream.headers.get("Content-Encoding")).isEqualTo("gzip");
			assertThat(gunzip(stream.bytes())).isEqualTo("[stream opened]\none\n");
		}
		finally {
			stream.dispose();
		}
	}

	@Test
	void h2cClientGetsAReleasedLongPoll() {
		RawStream poll = new RawStream(HttpClient.create(ConnectionProvider.newConnection())
			.protocol(HttpProtocol.H2C), "/poll?ch=h2-poll");
		try {
			awaitSubscribers("h2-poll");
			gripway.publishOk("""
					{"items":[{"channel":"h2-poll","formats":{"http-response":{"body":"released\\n"}}}]}
					""");
			poll.awaitEnd();
			assertThat(poll.version).isEqualTo("HTTP/2.0");
			assertThat(poll.text()).isEqualTo("released\n");
		}
		finally {
			poll.dispose();
		}
	}

	static String close(String channel) {
		return "{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{\"http-stream\":{\"action\":\"close\"}}}]}";
	}

	static void awaitSubscribers(String channel) {
		Await.until(WAIT, () -> gripway.registry().subscriberCount(channel) == 1,
				() -> "a subscriber on '" + channel + "'");
	}

	static String gunzip(byte[] bytes) throws IOException {
		try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	/** What a gzip stream that has not ended yet decodes to so far. */
	static String gunzipPrefix(byte[] bytes) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
			byte[] buffer = new byte[256];
			int read;
			while ((read = in.read(buffer)) > 0) {
				out.write(buffer, 0, read);
			}
		}
		catch (IOException ex) {
			// the end of what arrived so far
		}
		return out.toString(StandardCharsets.UTF_8);
	}

	/** The body bytes exactly as they arrive (no decompression), with the status line's version and headers. */
	static final class RawStream {

		private final ByteArrayOutputStream received = new ByteArrayOutputStream();

		private final Disposable subscription;

		volatile HttpHeaders headers;

		volatile String version;

		private volatile boolean completed;

		private volatile Throwable error;

		RawStream(HttpClient client, String path) {
			this.subscription = client.get()
				.uri(gripway.proxyUrl() + path)
				.response((response, body) -> {
					this.headers = response.responseHeaders();
					this.version = response.version().text();
					return body.retain();
				})
				.subscribe(this::append, ex -> this.error = ex, () -> this.completed = true);
		}

		private void append(ByteBuf buffer) {
			try {
				byte[] bytes = new byte[buffer.readableBytes()];
				buffer.readBytes(bytes);
				synchronized (this.received) {
					this.received.writeBytes(bytes);
				}
			}
			finally {
				buffer.release();
			}
		}

		byte[] bytes() {
			synchronized (this.received) {
				return this.received.toByteArray();
			}
		}

		String text() {
			return new String(bytes(), StandardCharsets.UTF_8);
		}

		String failure() {
			return (this.error != null) ? " (error: " + this.error + ")" : "";
		}

		void awaitEnd() {
			Await.until(WAIT, () -> this.completed || this.error != null, () -> "end of response, got '" + text() + "'");
			assertThat(this.error).isNull();
		}

		void dispose() {
			this.subscription.dispose();
		}

	}

}
