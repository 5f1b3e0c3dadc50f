package io.gripway.test;

import java.time.Duration;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * A client that reads a streamed response (HTTP stream or SSE) as it arrives, on its own connection, so a test can
 * wait for each published piece and see when the server ends the stream.
 */
public final class StreamClient implements AutoCloseable {

	private final StringBuffer received = new StringBuffer();

	private volatile @Nullable Integer status;

	private volatile @Nullable HttpHeaders headers;

	private volatile boolean completed;

	private volatile @Nullable Throwable error;

	private final Disposable subscription;

	private StreamClient(String url, Map<String, String> requestHeaders) {
		this.subscription = HttpClient.create(ConnectionProvider.newConnection())
			.headers((headers) -> requestHeaders.forEach(headers::set))
			.get()
			.uri(url)
			.response((response, body) -> {
				this.status = response.status().code();
				this.headers = response.responseHeaders();
				return body.asString();
			})
			.subscribe(this.received::append, ex -> this.error = ex, () -> this.completed = true);
	}

	public static StreamClient open(String url) {
		return new StreamClient(url, Map.of());
	}

	/** Opens the stream with extra request headers, e.g. {@code Last-Event-ID} as an EventSource reconnecting. */
	public static StreamClient open(String url, Map<String, String> requestHeaders) {
		return new StreamClient(url, requestHeaders);
	}

	/** Waits for the status line and headers, which must arrive before any publish. */
	public StreamClient awaitHeaders(Duration limit) {
		Await.until("response headers", limit, () -> this.headers != null || this.error != null);
		return this;
	}

	public StreamClient awaitReceived(String expected, Duration limit) {
		Await.until(limit, () -> this.received.toString().contains(expected),
				() -> "'" + expected + "' in stream; got '" + this.received + "'" + errorSuffix());
		return this;
	}

	public StreamClient awaitEnd(Duration limit) {
		Await.until(limit, () -> this.completed || this.error != null, () -> "end of stream; got '" + this.received + "'");
		return this;
	}

	private String errorSuffix() {
		return (this.error != null) ? " (error: " + this.error + ")" : "";
	}

	public String received() {
		return this.received.toString();
	}

	public int status() {
		Integer code = this.status;
		if (code == null) {
			throw new AssertionError("no response yet" + errorSuffix());
		}
		return code;
	}

	public HttpHeaders headers() {
		HttpHeaders current = this.headers;
		if (current == null) {
			throw new AssertionError("no response yet" + errorSuffix());
		}
		return current;
	}

	public boolean completed() {
		return this.completed;
	}

	public @Nullable Throwable error() {
		return this.error;
	}

	@Override
	public void close() {
		this.subscription.dispose();
	}

}
