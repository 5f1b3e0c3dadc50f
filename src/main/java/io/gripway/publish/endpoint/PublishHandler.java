package io.gripway.publish.endpoint;

import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.gripway.app.ChannelNamespace;
import io.gripway.bus.BusUnavailableException;
import io.gripway.bus.MessageBus;
import io.gripway.publish.InvalidPublishException;
import io.gripway.publish.PublishItem;
import io.gripway.publish.PublishRequestParser;
import io.gripway.publish.auth.PublisherAuthentication;
import io.gripway.publish.auth.PublisherIdentity;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The publish port's HTTP API as a WebFlux functional endpoint, a drop-in for Pushpin's control endpoint
 * ({@code handlerengine.cpp} {@code controlHttpServer_requestReady}): {@code POST /publish} relays items to the
 * {@link MessageBus}, {@code POST /recover} sends held connections back to their origins. {@link #router()} is served
 * by {@link PublishApi} on the publish port, behind the publishers' security chain when there is one.
 *
 * <p>
 * Unlike Pushpin, {@code 200 Published} is sent only after the bus has accepted the items for every node; when it
 * cannot, the publisher gets {@code 503} and must retry. Either way a 200 still does not mean any subscriber got the
 * message. An authenticated publisher whose scope does not cover every item's channel gets {@code 403} naming the
 * first channel out of scope, and nothing is published.
 *
 * <p>
 * A publisher of an application ({@code gripway.apps[N].publishers}) names channels as its origin does: its items go
 * to its application's namespace on the bus ({@link ChannelNamespace#toBus}), {@code require_sub} meta included, and
 * its scope is checked against the names it sent. It may not {@code /recover}, which touches every application.
 *
 * <h3>Thread safety</h3> Stateless and immutable: one instance serves every connection. Nothing here blocks; parsing
 * runs on the event loop, bounded by {@code maxBodyBytes}.
 */
public final class PublishHandler {

	private static final Logger logger = Loggers.getLogger(PublishHandler.class);

	/** Request attribute: the negotiated reply format, decided once by the framing filter. */
	private static final String JSON_REPLY = PublishHandler.class.getName() + ".jsonReply";

	/** Publish meta naming a channel the subscriber must also be held on (the {@code require-sub} filter). */
	private static final String REQUIRE_SUB = "require_sub";

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

	PublishListener listener() {
		return this.listener;
	}

	/** The routes, in Pushpin's order: framing, then negotiation, then the path, then the method. */
	public RouterFunction<ServerResponse> router() {
		return RouterFunctions.route()
			.route(at("/"), (request) -> reply(request, 200, "Gripway publish API"))
			.route(at("/publish").and(RequestPredicates.method(HttpMethod.POST)), this::publish)
			.route(at("/recover").and(RequestPredicates.method(HttpMethod.POST)), this::recover)
			.route(at("/publish").or(at("/recover")), this::methodNotAllowed)
			.route(RequestPredicates.all(), (request) -> reply(request, 404, "Not Found"))
			.filter(this::framing)
			.build();
	}

	/**
	 * Framing is checked before routing, as Pushpin's HTTP server does before the request reaches the handler, then
	 * the reply format is negotiated.
	 */
	private Mono<ServerResponse> framing(ServerRequest request, HandlerFunction<ServerResponse> next) {
		HttpHeaders headers = request.headers().asHttpHeaders();
		if (HttpMethod.POST.equals(request.method())) {
			long length = contentLength(headers);
			if (length < 0) {
				this.listener.rejected("no-content-length");
				return replyAndClose(411, "Request requires Content-Length.");
			}
			if (length > this.maxBodyBytes) {
				this.listener.rejected("too-large");
				return replyAndClose(400, "Request body too large.");
			}
		}
		Boolean json = PublishReplies.acceptsJson(headers);
		if (json == null) {
			return PublishReplies.reply(406, "Not Acceptable. Supported formats are text/plain and application/json.",
					false);
		}
		request.attributes().put(JSON_REPLY, json);
		return next.handle(request);
	}

	private Mono<ServerResponse> methodNotAllowed(ServerRequest request) {
		boolean json = json(request);
		byte[] body = PublishReplies.body("Method not allowed: " + request.method().name() + ".", json);
		return PublishReplies.reply(ServerResponse.status(405).header(HttpHeaders.ALLOW, "POST"), body, json);
	}

	private Mono<ServerResponse> recover(ServerRequest request) {
		return publisher(request).flatMap((publisher) -> {
			if (publisher.isPresent()
					&& (!publisher.get().scope().unrestricted() || !publisher.get().namespace().isNone())) {
				// recovery touches every channel of every application, so only a publisher that may publish to every
				// channel may ask for it
				this.listener.rejected("forbidden");
				String limit = publisher.get().namespace().isNone() ? "is limited to some channels"
						: "publishes for one application";
				return reply(request, 403, "Forbidden: publisher '" + publisher.get().name() + "' " + limit
						+ " and may not recover every connection.");
			}
			// as Pushpin: the recoveries are started, not awaited, and spread over time by the recovery limiter
			this.recover.run();
			return reply(request, 200, "Updated");
		});
	}

	private Mono<ServerResponse> publish(ServerRequest request) {
		boolean json = json(request);
		return readBody(request).flatMap((body) -> {
			List<PublishItem> items;
			try {
				items = PublishRequestParser.parse(body);
			}
			catch (InvalidPublishException ex) {
				this.listener.rejected("invalid");
				return PublishReplies.reply(400, ex.getMessage(), json);
			}
			return publisher(request).flatMap((publisher) -> {
				String outOfScope = publisher.isPresent() ? outOfScope(publisher.get(), items) : null;
				if (outOfScope != null) {
					this.listener.rejected("forbidden");
					return PublishReplies.reply(403, "Forbidden: publisher '" + publisher.get().name()
							+ "' may not publish to channel '" + outOfScope + "'.", json);
				}
				return relay(publisher.isPresent() ? toBus(publisher.get().namespace(), items) : items, json);
			});
		});
	}

	private Mono<ServerResponse> relay(List<PublishItem> items, boolean json) {
		return Mono.defer(() -> items.isEmpty() ? Mono.<Void>empty() : this.bus.publish(items))
			.then(Mono.defer(() -> {
				this.listener.accepted(items.size());
				return PublishReplies.reply(200, "Published", json);
			}))
			.onErrorResume(BusUnavailableException.class, (ex) -> {
				this.listener.unavailable(items.size());
				return PublishReplies.reply(503, "Service Unavailable: " + ex.getMessage(), json);
			})
			.onErrorResume((ex) -> !(ex instanceof BusUnavailableException), (ex) -> {
				// A bus that breaks its contract must still not produce a 200.
				this.listener.unavailable(items.size());
				logger.error("Publish of " + items.size() + " item(s) failed", ex);
				return PublishReplies.reply(500, "Internal Server Error.", json);
			});
	}

	/** The first channel the publisher may not publish to, or {@code null}. */
	private static @Nullable String outOfScope(PublisherIdentity publisher, List<PublishItem> items) {
		if (publisher.scope().unrestricted()) {
			return null;
		}
		for (PublishItem item : items) {
			if (!publisher.scope().permits(item.channel())) {
				return item.channel();
			}
		}
		return null;
	}

	/** The items with their channels, and the channel {@code require_sub} names, in {@code namespace}. */
	static List<PublishItem> toBus(ChannelNamespace namespace, List<PublishItem> items) {
		if (namespace.isNone()) {
			return items;
		}
		List<PublishItem> result = new ArrayList<>(items.size());
		for (PublishItem item : items) {
			Map<String, String> meta = item.meta();
			String required = meta.get(REQUIRE_SUB);
			if (required != null) {
				meta = new LinkedHashMap<>(meta);
				meta.put(REQUIRE_SUB, namespace.toBus(required));
			}
			result.add(new PublishItem(namespace.toBus(item.channel()), item.id(), item.prevId(), meta,
					item.httpResponse(), item.httpStream(), item.wsMessage(), item.noSeq()));
		}
		return result;
	}

	/** The authenticated publisher; empty when the API is anonymous (no publishers configured). */
	private static Mono<Optional<PublisherIdentity>> publisher(ServerRequest request) {
		return request.principal()
			.map((Principal principal) -> (principal instanceof PublisherAuthentication authentication)
					? Optional.of(authentication.getPrincipal()) : Optional.<PublisherIdentity>empty())
			.defaultIfEmpty(Optional.empty());
	}

	/**
	 * The whole body as one array. Its length was checked against the limit before reading, so joining cannot grow
	 * past it; {@code join} releases what it read if the request fails half way.
	 */
	private Mono<byte[]> readBody(ServerRequest request) {
		return DataBufferUtils.join(request.exchange().getRequest().getBody(), this.maxBodyBytes)
			.map((DataBuffer buffer) -> {
				try {
					byte[] bytes = new byte[buffer.readableByteCount()];
					buffer.read(bytes);
					return bytes;
				}
				finally {
					DataBufferUtils.release(buffer);
				}
			})
			.defaultIfEmpty(new byte[0]);
	}

	/** -1 when the request has no usable Content-Length (chunked included: Pushpin refuses it). */
	private static long contentLength(HttpHeaders headers) {
		String encoding = headers.getFirst(HttpHeaders.TRANSFER_ENCODING);
		if (encoding != null && encoding.toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
			return -1;
		}
		String value = headers.getFirst(HttpHeaders.CONTENT_LENGTH);
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

	private static boolean json(ServerRequest request) {
		return Boolean.TRUE.equals(request.attributes().get(JSON_REPLY));
	}

	private static Mono<ServerResponse> reply(ServerRequest request, int status, String message) {
		return PublishReplies.reply(status, message, json(request));
	}

	/** Replies, then closes the connection: the request body was not read and must not be parsed as a request. */
	private static Mono<ServerResponse> replyAndClose(int status, String message) {
		// Plain text whatever the Accept header: like Pushpin's HTTP server, framing is judged before negotiation.
		byte[] body = PublishReplies.body(message, false);
		return PublishReplies.reply(ServerResponse.status(status).header(HttpHeaders.CONNECTION, "close"), body, false);
	}

	/**
	 * Pushpin's path match: the query ignored, one trailing slash removed ({@code /publish/} is {@code /publish},
	 * {@code /publish//} is not).
	 */
	private static RequestPredicate at(String path) {
		return (request) -> {
			String actual = request.path();
			if (actual.length() > 1 && actual.endsWith("/")) {
				actual = actual.substring(0, actual.length() - 1);
			}
			return (actual.isEmpty() ? "/" : actual).equals(path);
		};
	}

}
