package io.gripway.websocket;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.Map;
import java.util.function.Supplier;

import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.HttpHeaders;

/**
 * Sends one WebSocket-over-HTTP POST and reads the whole answer, at most {@code maxBody} bytes of it.
 *
 * <h3>Thread safety</h3> Immutable; shared by every session. The signature supplier is called once per POST, so each
 * carries a {@code Grip-Sig} valid for a full hour (Pushpin issue #47657: long-lived connections outlive one token).
 */
final class OriginPoster {

	private final HttpClient client;

	private final @Nullable Supplier<String> signature;

	private final long maxBody;

	/**
	 * @param client the gateway's HTTP client (its connect and response timeouts apply)
	 * @param signature the current Grip-Sig token, or {@code null} to send none
	 * @param maxBody the largest answer body read; a larger one fails the POST with {@link OriginBodyTooLarge}
	 */
	OriginPoster(HttpClient client, @Nullable Supplier<String> signature, long maxBody) {
		this.client = client;
		this.signature = signature;
		this.maxBody = maxBody;
	}

	/** POSTs {@code events} (already encoded) to {@code uri}; lazy: each subscription sends again. */
	Mono<OriginReply> post(URI uri, HttpHeaders clientHeaders, String connectionId, Map<String, String> meta,
			byte[] events) {
		return Mono.defer(() -> {
			HttpHeaders headers = WsOverHttpHeaders.request(clientHeaders, connectionId, meta,
					(this.signature != null) ? this.signature.get() : null);
			headers.setContentLength(events.length);
			return this.client.headers(nettyHeaders -> headers.forEach(nettyHeaders::add))
				.post()
				.uri(uri)
				.send(Mono.just(Unpooled.wrappedBuffer(events)))
				.response((response, body) -> {
					HttpHeaders replyHeaders = new HttpHeaders();
					response.responseHeaders().forEach(entry -> replyHeaders.add(entry.getKey(), entry.getValue()));
					return read(body.asByteArray()).map(bytes -> new OriginReply(response.status().code(),
							replyHeaders, bytes));
				})
				.single();
		});
	}

	// bounded: a chunk is copied and released as it comes, and reading stops at the limit; a buffer of its own for
	// each subscription (reduceWith), as a shared seed would carry one read's bytes into the next
	/* for testing */ Mono<byte[]> read(Flux<byte[]> chunks) {
		return chunks.reduceWith(ByteArrayOutputStream::new, (out, chunk) -> {
			if (out.size() + (long) chunk.length > this.maxBody) {
				throw new OriginBodyTooLarge(this.maxBody);
			}
			out.writeBytes(chunk);
			return out;
		}).map(ByteArrayOutputStream::toByteArray).defaultIfEmpty(new byte[0]);
	}

	/** An origin's answer is larger than Gripway reads; expected from a misbehaving origin, so no stack trace. */
	static final class OriginBodyTooLarge extends RuntimeException {

		OriginBodyTooLarge(long limit) {
			super("origin answer larger than " + limit + " bytes");
		}

		@Override
		public synchronized Throwable fillInStackTrace() {
			return this;
		}

	}

}
