package io.gripway.publish;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiFunction;

import io.gripway.bus.BusUnavailableException;
import io.gripway.bus.MessageBus;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.util.Logger;
import reactor.util.Loggers;
import tools.jackson.databind.json.JsonMapper;

/**
 * The publish port's HTTP API, a drop-in for Pushpin's control endpoint ({@code handlerengine.cpp}
 * {@code controlHttpServer_requestReady}): {@code POST /publish} relays items to the {@link MessageBus}. Bind it with
 * {@code HttpServer.create().handle(handler)}; the header size limit (Pushpin: 10,000 bytes) belongs to that server's
 * {@code httpRequestDecoder} spec, not to this class.
 *
 * <p>
 * Unlike Pushpin, {@code 200 Published} is sent only after the bus has accepted the items for every node; when it
 * cannot, the publisher gets {@code 503} and must retry. Either way a 200 still does not mean any subscriber got the
 * message.
 *
 * <h3>Thread safety</h3> Stateless and immutable: one instance serves every connection. Nothing here blocks; parsing
 * runs on the event loop, bounded by {@code maxBodyBytes}.
 */
public final class PublishHandler
		implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

	private static final Logger logger = Loggers.getLogger(PublishHandler.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String TEXT_PLAIN = "text/plain; charset=utf-8";

	private static final String APPLICATION_JSON = "application/json";

	private final MessageBus bus;

	private final int maxBodyBytes;

	private final PublishListener listener;

	private final Runnable recover;

	public PublishHandler(MessageBus bus, int maxBodyBytes) {
		this(bus, maxBodyBytes, PublishListener.NONE, () -> {
		});
	}

	/**
	 * @param bus where accepted items go
	 * @param maxBodyBytes the largest request body accepted (Pushpin's {@code push_in_http_max_body_size}, default
	 * 1,000,000)
	 * @param listener told the outcome of every publish request, for metrics
	 * @param recover {@code POST /recover}: forgets the last ids and sends every held connection that can back to its
	 * origin; must not block
	 */
	public PublishHandler(MessageBus bus, int maxBodyBytes, PublishListener listener, Runnable recover) {
		this.bus = Objects.requireNonNull(bus, "bus");
		this.listener = Objects.requireNonNull(listener, "listener");
		this.recover = Objects.requireNonNull(recover, "recover");
		if (maxBodyBytes < 0) {
			throw new IllegalArgumentException("maxBodyBytes must be >= 0, was " + maxBodyBytes);
		}
		this.maxBodyBytes = maxBodyBytes;
	}

	@Override
	public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
		boolean post = HttpMethod.POST.equals(request.method());
		// Framing is checked before routing, as Pushpin's HTTP server does before the request reaches the handler.
		if (post && request.requestHeaders().containsValue(HttpHeaderNames.TRANSFER_ENCODING,
				HttpHeaderValues.CHUNKED, true)) {
			this.listener.rejected("no-content-length");
			return replyAndClose(response, 411, "Request requires Content-Length.");
		}
		long contentLength = post ? contentLength(request) : 0;
		if (contentLength < 0) {
			this.listener.rejected("no-content-length");
			return replyAndClose(response, 411, "Request requires Content-Length.");
		}
		if (contentLength > this.maxBodyBytes) {
			this.listener.rejected("too-large");
			return replyAndClose(response, 400, "Request body too large.");
		}
		Boolean json = acceptsJson(request);
		if (json == null) {
			return reply(response, 406, "Not Acceptable. Supported formats are text/plain and application/json.",
					false);
		}
		String path = path(request.uri());
		if (path.equals("/")) {
			return reply(response, 200, "Gripway publish API", json);
		}
		if (!path.equals("/publish") && !path.equals("/recover")) {
			return reply(response, 404, "Not Found", json);
		}
		if (!post) {
			response.header(HttpHeaderNames.ALLOW, "POST");
			return reply(response, 405, "Method not allowed: " + request.method().name() + ".", json);
		}
		if (path.equals("/recover")) {
			// as Pushpin: the recoveries are started, not awaited, and spread over time by the recovery limiter
			this.recover.run();
			return reply(response, 200, "Updated", json);
		}
		return publish(request, response, (int) contentLength, json);
	}

	private Mono<Void> publish(HttpServerRequest request, HttpServerResponse response, int contentLength,
			boolean json) {
		return readBody(request, contentLength).flatMap((body) -> {
			List<PublishItem> items;
			try {
				items = PublishRequestParser.parse(body);
			}
			catch (InvalidPublishException ex) {
				this.listener.rejected("invalid");
				return reply(response, 400, ex.getMessage(), json);
			}
			return Mono.defer(() -> items.isEmpty() ? Mono.<Void>empty() : this.bus.publish(items))
				.then(Mono.defer(() -> {
					this.listener.accepted(items.size());
					return reply(response, 200, "Published", json);
				}))
				.onErrorResume(BusUnavailableException.class, (ex) -> {
					this.listener.unavailable(items.size());
					return reply(response, 503, "Service Unavailable: " + ex.getMessage(), json);
				})
				.onErrorResume((ex) -> !response.hasSentHeaders(), (ex) -> {
					// A bus that breaks its contract must still not produce a 200.
					this.listener.unavailable(items.size());
					logger.error("Publish of " + items.size() + " item(s) failed", ex);
					return reply(response, 500, "Internal Server Error.", json);
				});
		});
	}

	/**
	 * Copies the body into one array of the declared length. Reactor Netty releases each inbound buffer after
	 * {@code onNext}, so nothing is retained; the length was checked against the limit before reading, and a body
	 * longer than declared (which Netty's decoder does not produce) fails rather than grows.
	 */
	private static Mono<byte[]> readBody(HttpServerRequest request, int contentLength) {
		// reduceWith emits the empty seed for an empty body.
		return request.receive()
			.reduceWith(() -> new BodyBuffer(contentLength), BodyBuffer::append)
			.map(BodyBuffer::bytes);
	}

	/** -1 when the request has no usable Content-Length. */
	private static long contentLength(HttpServerRequest request) {
		String value = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
		if (value == null) {
			return -1;
		}
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/**
	 * Pushpin's negotiation: the first listed type it knows decides, parameters (q included) are ignored.
	 * @return {@code false} for text, {@code true} for JSON, {@code null} when neither is acceptable
	 */
	private static @Nullable Boolean acceptsJson(HttpServerRequest request) {
		List<String> accepts = request.requestHeaders().getAll(HttpHeaderNames.ACCEPT);
		boolean any = false;
		for (String accept : accepts) {
			for (String range : accept.split(",")) {
				int params = range.indexOf(';');
				String type = ((params >= 0) ? range.substring(0, params) : range).trim().toLowerCase(Locale.ROOT);
				if (type.isEmpty()) {
					continue;
				}
				any = true;
				if (type.equals("text/plain") || type.equals("text/*") || type.equals("*/*") || type.equals("*")) {
					return false;
				}
				if (type.equals("application/json") || type.equals("application/*")) {
					return true;
				}
			}
		}
		return any ? null : false;
	}

	/** The path without query, with a single trailing slash removed ({@code /publish/} is {@code /publish}). */
	private static String path(String uri) {
		String path = uri;
		int end = path.indexOf('?');
		if (end >= 0) {
			path = path.substring(0, end);
		}
		// absolute-form request target: http://host:port/path
		int scheme = path.indexOf("://");
		if (scheme >= 0) {
			int slash = path.indexOf('/', scheme + 3);
			path = (slash >= 0) ? path.substring(slash) : "/";
		}
		if (path.length() > 1 && path.endsWith("/")) {
			path = path.substring(0, path.length() - 1);
		}
		return path.isEmpty() ? "/" : path;
	}

	/** Replies, then closes the connection: the request body was not read and must not be parsed as a request. */
	private static Mono<Void> replyAndClose(HttpServerResponse response, int status, String message) {
		// Plain text whatever the Accept header: like Pushpin's HTTP server, framing is judged before negotiation.
		response.keepAlive(false);
		return reply(response, status, message, false);
	}

	private static Mono<Void> reply(HttpServerResponse response, int status, String message, boolean json) {
		byte[] body = (json ? "{\"message\": " + JSON.writeValueAsString(message) + "}\n" : message + "\n")
			.getBytes(StandardCharsets.UTF_8);
		return response.status(status)
			.header(HttpHeaderNames.CONTENT_TYPE, json ? APPLICATION_JSON : TEXT_PLAIN)
			.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
			.sendByteArray(Mono.just(body))
			.then();
	}

	/** The body read so far; used by one subscriber, so not thread-safe. */
	private static final class BodyBuffer {

		private final byte[] bytes;

		private int length;

		BodyBuffer(int capacity) {
			this.bytes = new byte[capacity];
		}

		BodyBuffer append(ByteBuf chunk) {
			int readable = chunk.readableBytes();
			if (readable > this.bytes.length - this.length) {
				throw new IllegalStateException("Request body longer than its Content-Length");
			}
			chunk.getBytes(chunk.readerIndex(), this.bytes, this.length, readable);
			this.length += readable;
			return this;
		}

		byte[] bytes() {
			return (this.length == this.bytes.length) ? this.bytes : Arrays.copyOf(this.bytes, this.length);
		}

	}

}
