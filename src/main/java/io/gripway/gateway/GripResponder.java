package io.gripway.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.gripway.app.App;
import io.gripway.crossorigin.CrossOriginPolicy;
import io.gripway.filter.ContentFilterException;
import io.gripway.filter.ContentFilters;
import io.gripway.gateway.DetachingHttpHandler.HeldWrite;
import io.gripway.hold.HoldRegistry;
import io.gripway.hold.RecoveryCause;
import io.gripway.hold.ResponseHold;
import io.gripway.hold.StreamHold;
import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.instruct.GripHeaders;
import io.gripway.instruct.HoldInstruction;
import io.gripway.instruct.HoldMode;
import io.gripway.instruct.Instruct;
import io.gripway.instruct.InstructParser;
import io.gripway.instruct.InvalidInstructException;
import io.gripway.instruct.ResponseTemplate;
import io.gripway.publish.HttpResponseFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Carries out an origin's GRIP instruction for one exchange: parses it, then answers at once (no hold), holds a
 * long-poll until a publish or its timeout, or opens a stream that publishes append to.
 *
 * <p>
 * A bad instruction costs only its own client a {@code 502} and a log line naming the rule it broke.
 *
 * <h3>Reliability</h3> A stream follows its next link through {@link NextLinks}; a page with no hold and a next link
 * starts a chain of pages appended to the response. A long-poll released for a retry (a gap, a hint, a recover) sends
 * its original request to the origin again, with {@code Grip-Last} per followed channel, and answers the client with
 * whatever the origin answers then: a response, another long-poll, or a stream. A gone link is POSTed when the
 * connection ends.
 *
 * <h3>What a held response does not get</h3> Once held, a response is written on the Reactor Netty connection after
 * its exchange is over (see {@link DetachingHttpHandler}): it skips the gateway's post filters, response decorators
 * and {@code beforeCommit} actions. Its status and headers are the instruction's, with what auto cross-origin adds
 * ({@link CrossOriginFilter#policy}, decided before the hold). A route's own filters run inside {@link GripFilter}
 * (their orders, 1 and up, are above its), so what their post-routing step adds to the response
 * ({@code AddResponseHeader}) is part of the origin's response as Gripway sees it: a held response carries it like
 * one of the origin's headers, and a published header of the same name replaces it. Filters ordered outside
 * {@code GripFilter} do not reach a GRIP response. {@code DetachedResponseIntegrationTests} pins all of this.
 *
 * <h3>Applications</h3> Every instruction from an origin, the first, a retried request's and a next link's, has its
 * channels put in the namespace of the route's application ({@link Apps}) before anything holds them, and every
 * request Gripway makes to that origin on its own is signed with the application's Grip-Sig.
 */
public final class GripResponder {

	private static final Log logger = LogFactory.getLog(GripResponder.class);

	static final String BAD_INSTRUCTION = "Error while proxying to origin.\n";

	static final String TOO_MANY_HOLDS = "Too many held connections.\n";

	static final String DRAINING = "Service restarting; retry.\n";

	/** How long the unread body of a refused GRIP response is read before its connection is closed. */
	private static final Duration DRAIN_TIME = Duration.ofSeconds(1);

	/** Hop-by-hop and framing headers of an origin's answer that Gripway frames anew for the client. */
	private static final Set<String> REFRAMED = Set.of("connection", "keep-alive", "transfer-encoding",
			"content-length");

	private final HoldRegistry registry;

	private final long maxResponseBody;

	private final int streamQueueCapacity;

	private final Scheduler timer;

	private final Recoveries reliability;

	private final Apps apps;

	public GripResponder(HoldRegistry registry, long maxResponseBody, int streamQueueCapacity, Scheduler timer,
			Recoveries reliability, Apps apps) {
		this.registry = registry;
		this.maxResponseBody = maxResponseBody;
		this.streamQueueCapacity = streamQueueCapacity;
		this.timer = timer;
		this.reliability = reliability;
		this.apps = apps;
	}

	/**
	 * What a retry needs of the original request: sent again as it was routed; and what auto cross-origin does to
	 * its answers.
	 * @param body the request body, when it was small enough to keep ({@link RequestBodyRetainingFilter})
	 * @param bodyLost the request had a body that was not kept: it cannot be retried
	 * @param app the application of its route
	 */
	private record OriginRequest(String method, URI uri, List<HeaderField> headers, byte[] body, boolean bodyLost,
			CrossOriginPolicy crossOrigin, App app) {
	}

	/**
	 * @param sent the headers the gateway sent the origin (as Reactor Netty's client recorded them): a retried
	 * long-poll sends them again
	 */
	Mono<Void> respond(ServerWebExchange exchange, int status, String reason, List<HeaderField> headers,
			HttpHeaders sent, OriginBody body) {
		// a header-form stream hold streams the origin's body to the client instead of keeping it, unless its
		// channels filter content, which needs the body whole
		boolean streamOriginBody = !isJsonForm(headers) && "stream".equals(first(headers, GripHeaders.GRIP_HOLD))
				&& !filtersContent(headers);
		Mono<Content> kept = streamOriginBody ? Mono.just(Content.EMPTY) : body.aggregate(this.maxResponseBody);
		App app = this.apps.of(exchange);
		return kept.flatMap(content -> {
			Instruct instruct;
			try {
				instruct = InstructParser.parse(status, reason, headers, content);
			}
			catch (InvalidInstructException ex) {
				logger.warn(exchange.getLogPrefix() + "Invalid GRIP instruction from origin for "
						+ exchange.getRequest().getPath() + ": " + ex.getMessage());
				return badInstruction(exchange, body);
			}
			String unfollowable = unfollowable(instruct);
			if (unfollowable != null) {
				logger.warn(exchange.getLogPrefix() + "Unusable GRIP instruction from origin for "
						+ exchange.getRequest().getPath() + ": " + unfollowable);
				return badInstruction(exchange, body);
			}
			instruct = app.namespace().toBus(instruct);
			HoldInstruction hold = instruct.hold();
			if (hold == null && instruct.next() == null) {
				ResponseTemplate response = instruct.response();
				return ClientResponses.full(exchange.getResponse(), response.code(), response.reason(),
						response.headers(), response.body());
			}
			List<ChannelSubscription> channels = (hold != null) ? limitChannels(exchange, hold.channels()) : List.of();
			URI uri = requestUri(exchange);
			if (hold != null && hold.mode() == HoldMode.RESPONSE) {
				return holdResponse(exchange, instruct, channels, uri, app, sent);
			}
			return holdStream(exchange, instruct, channels, uri, streamOriginBody ? body : null, app);
		}).onErrorResume(OriginBodyTooLargeException.class, ex -> {
			logger.warn(exchange.getLogPrefix() + "GRIP response from origin for " + exchange.getRequest().getPath()
					+ " rejected: " + ex.getMessage());
			body.discard();
			return ClientResponses.error(exchange.getResponse(), 502, BAD_INSTRUCTION);
		});
	}

	/** 502 for an instruction that cannot be carried out, once the origin's unread body is let go. */
	private Mono<Void> badInstruction(ServerWebExchange exchange, OriginBody body) {
		return body.drain(this.maxResponseBody, DRAIN_TIME)
			.then(Mono.defer(() -> ClientResponses.error(exchange.getResponse(), 502, BAD_INSTRUCTION)));
	}

	/**
	 * Why a valid instruction cannot be carried out, or {@code null}: a stream can only recover a gap after a
	 * {@code prev-id} through its next link (Pushpin ends such a stream after its first response; Gripway answers
	 * 502 before it, so the origin's mistake is not mistaken for a working stream).
	 */
	private static @Nullable String unfollowable(Instruct instruct) {
		HoldInstruction hold = instruct.hold();
		if (hold == null || hold.mode() != HoldMode.STREAM || instruct.next() != null) {
			return null;
		}
		for (ChannelSubscription channel : hold.channels()) {
			if (channel.prevId() != null) {
				return "channel '" + channel.name() + "' specifies prev-id, but no next link found";
			}
		}
		return null;
	}

	private Mono<Void> holdResponse(ServerWebExchange exchange, Instruct instruct, List<ChannelSubscription> channels,
			URI uri, App app, HttpHeaders sent) {
		ResponseHold hold = new ResponseHold(channels, instruct.meta(), this.registry.history());
		hold.namespace(app.namespace());
		if (!this.registry.register(hold)) {
			return refuse(exchange);
		}
		HttpServerResponse response = nativeResponse(exchange);
		byte[] kept = exchange.getAttribute(RequestBodyRetainingFilter.BODY_ATTR);
		boolean hasBody = exchange.getRequest().getHeaders().getContentLength() > 0
				|| exchange.getRequest().getHeaders().containsHeader("Transfer-Encoding");
		OriginRequest request = new OriginRequest(exchange.getRequest().getMethod().name(), uri,
				fields(sent), (kept != null) ? kept : new byte[0],
				hasBody && kept == null, CrossOriginFilter.policy(exchange), app);
		Runnable release = once(() -> this.registry.unregister(hold));
		// nothing below may refer to the exchange: it is over while the hold waits (see DetachingHttpHandler)
		DetachingHttpHandler.detach(exchange.getResponse(), new HeldWrite() {
			@Override
			public Mono<Void> write() {
				return awaitRelease(response, hold, instruct, request, release);
			}

			@Override
			public void abandon() {
				release.run();
			}
		});
		return Mono.empty();
	}

	/**
	 * Waits for a long-poll's release, then answers: the published response, the timeout response, or, for a retry,
	 * whatever the origin answers the request sent again.
	 */
	private Mono<Void> awaitRelease(HttpServerResponse response, ResponseHold hold, Instruct instruct,
			OriginRequest request, Runnable release) {
		ResponseTemplate timeout = instruct.response();
		Duration wait = instruct.hold().timeout();
		// choose the answer first, then write it: the write is a Mono<Void>, which completes empty, so a
		// switchIfEmpty after it would write the timeout response over the published one
		return hold.released(wait)
			.map(released -> {
				RecoveryCause retry = released.retry();
				HttpResponseFormat published = released.format();
				if (retry != null || published == null) {
					return Mono.defer(() -> {
						// the retried request answers this client; this hold is over
						release.run();
						return retry(response, request, hold, (retry != null) ? retry : RecoveryCause.RECOVER);
					});
				}
				return write(response, new ResponseTemplate(published.code(), published.reason(),
						overlay(timeout.headers(), published), published.body()), request.crossOrigin());
			})
			.defaultIfEmpty(Mono.defer(() -> write(response, timeout, request.crossOrigin())))
			.flatMap(answer -> answer)
			.doFinally(signal -> release.run());
	}

	private Mono<Void> write(HttpServerResponse response, ResponseTemplate template, CrossOriginPolicy crossOrigin) {
		ResponseTemplate answer = crossOrigin.respond(template);
		return ClientResponses.full(response, answer.code(), answer.reason(), answer.headers(), answer.body(),
				this.registry.isDraining());
	}

	/** Sends a long-poll's request to the origin again, with Grip-Last, and answers the client with the result. */
	private Mono<Void> retry(HttpServerResponse response, OriginRequest request, ResponseHold previous,
			RecoveryCause cause) {
		if (request.bodyLost()) {
			// a body without a length, or too large to keep, went to the origin as it streamed in: a retry could only
			// send it truncated
			logger.info("Cannot retry a held " + request.method() + " whose body was not kept, to " + request.uri()
					+ "; answering 502");
			previous.retried(cause, false);
			return ClientResponses.full(response, 502, null, List.of(new HeaderField("Content-Type", "text/plain")),
					Content.utf8(BAD_INSTRUCTION), true);
		}
		Mono<Void> turn = (cause == RecoveryCause.HINT) ? Mono.empty()
				: this.reliability.limiter().admit(request.uri().toString());
		return turn
			.then(Mono.defer(() -> this.reliability.origin()
				.send(request.app(), request.method(), request.uri(), request.headers(), previous.lastIds(),
						request.body())))
			.flatMap(answer -> {
				previous.retried(cause, true);
				return answerRetry(response, request, answer);
			})
			.onErrorResume(error -> {
				if (error instanceof InvalidInstructException) {
					logger.warn("Invalid GRIP instruction from origin for retried " + request.uri() + ": "
							+ error.getMessage());
				}
				else {
					logger.warn("Retry of " + request.uri() + " failed: " + error);
				}
				previous.retried(cause, false);
				return ClientResponses.full(response, 502, null,
						List.of(new HeaderField("Content-Type", "text/plain")), Content.utf8(BAD_INSTRUCTION), true);
			});
	}

	/** The origin's answer to a retried request, carried out on the held client's response. */
	private Mono<Void> answerRetry(HttpServerResponse response, OriginRequest request, OriginRequests.Answer answer) {
		if (!GripHeaders.isGripResponse(answer.headers())) {
			return write(response, new ResponseTemplate(answer.status(), answer.reason(), reframed(answer.headers()),
					answer.body()), request.crossOrigin());
		}
		App app = request.app();
		Instruct instruct = app.namespace()
			.toBus(InstructParser.parse(answer.status(), answer.reason(), answer.headers(), answer.body()));
		HoldInstruction hold = instruct.hold();
		if (hold == null) {
			return write(response, instruct.response(), request.crossOrigin());
		}
		if (this.registry.isDraining()) {
			// the node began draining while the origin was asked: end the way a drained hold of this kind ends (a
			// long-poll's timeout response, a stream's first content), so the client moves on as its neighbours do,
			// rather than with the 503 a new request gets
			return write(response, drainedEnding(instruct, hold.mode()), request.crossOrigin());
		}
		List<ChannelSubscription> channels = limit(hold.channels());
		if (hold.mode() == HoldMode.STREAM) {
			StreamHold stream = newStream(response, instruct, channels, request.uri(), app);
			if (!this.registry.register(stream)) {
				return refuse(response);
			}
			Runnable release = streamRelease(stream, null, instruct, request.uri(), app);
			return stream(response, stream, instruct, Flux.just(ClientResponses.buffer(filteredInitial(instruct))),
					release, request.crossOrigin()).doFinally(signal -> release.run());
		}
		ResponseHold next = new ResponseHold(channels, instruct.meta(), this.registry.history());
		next.namespace(app.namespace());
		if (!this.registry.register(next)) {
			return refuse(response);
		}
		Runnable release = once(() -> this.registry.unregister(next));
		return awaitRelease(response, next, instruct, request, release);
	}

	private Mono<Void> holdStream(ServerWebExchange exchange, Instruct instruct, List<ChannelSubscription> channels,
			URI uri, @Nullable OriginBody originBody, App app) {
		HttpServerResponse response = nativeResponse(exchange);
		StreamHold hold = newStream(response, instruct, channels, uri, app);
		if (!this.registry.register(hold)) {
			return (originBody != null) ? originBody.drain(this.maxResponseBody, DRAIN_TIME).then(refuse(exchange))
					: refuse(exchange);
		}
		// the one cleanup, whether the held write ran or never started
		Runnable release = streamRelease(hold, originBody, instruct, uri, app);
		Flux<ByteBuf> originBytes = (originBody != null) ? Flux.defer(originBody::stream)
				: Flux.defer(() -> Flux.just(ClientResponses.buffer(filteredInitial(instruct))));
		CrossOriginPolicy crossOrigin = CrossOriginFilter.policy(exchange);
		// nothing below may refer to the exchange: it is over while the hold streams (see DetachingHttpHandler)
		DetachingHttpHandler.detach(exchange.getResponse(), new HeldWrite() {
			@Override
			public Mono<Void> write() {
				return stream(response, hold, instruct, originBytes, release, crossOrigin)
					.doFinally(signal -> release.run());
			}

			@Override
			public void abandon() {
				release.run();
			}
		});
		return Mono.empty();
	}

	private StreamHold newStream(HttpServerResponse response, Instruct instruct, List<ChannelSubscription> channels,
			URI uri, App app) {
		Channel channel = ((Connection) response).channel();
		HoldInstruction instruction = instruct.hold();
		StreamHold hold = new StreamHold(channels, instruct.meta(),
				(instruction != null) ? instruction.keepAlive() : null, this.streamQueueCapacity,
				// closing the channel itself: disposing Reactor Netty's response leaves a busy connection open
				this.timer, () -> channel.close());
		hold.namespace(app.namespace());
		hold.follow(this.reliability.links(app), this.registry.history(), uri, instruct.next());
		return hold;
	}

	/** The stream's one cleanup: detached, unregistered, the origin's body let go, the gone link POSTed. */
	private Runnable streamRelease(StreamHold hold, @Nullable OriginBody originBody, Instruct instruct, URI uri,
			App app) {
		String gone = instruct.goneLink();
		return once(() -> {
			hold.detach();
			this.registry.unregister(hold);
			if (originBody != null) {
				originBody.discard();
			}
			if (gone != null) {
				sendGone(app, uri.resolve(gone));
			}
		});
	}

	/**
	 * A stream's response: status and headers at once, the initial content, then what the hold appends (published
	 * items, next-link pages) until it ends. A response with no hold but a next link is a chain of pages.
	 */
	private Mono<Void> stream(HttpServerResponse response, StreamHold hold, Instruct instruct,
			Flux<ByteBuf> initialBytes, Runnable release, CrossOriginPolicy crossOrigin) {
		Channel channel = ((Connection) response).channel();
		ResponseTemplate initial = instruct.response();
		ClientResponses.head(response, initial.code(), initial.reason(), crossOrigin.streamHeaders(initial.headers()),
				this.registry.isDraining());
		ClientResponses.chunked(response);
		// an empty first write commits the status and headers at once, whatever follows and however late
		Flux<ByteBuf> start = Flux.just(Unpooled.EMPTY_BUFFER);
		// published content follows the origin's body, written by the hold's own output (not a reactive
		// pipeline per subscriber); what is published meanwhile waits in the hold
		Mono<Void> published = Mono.create(done -> {
			hold.attach(new ChannelStreamOutput(channel, this.streamQueueCapacity, done,
					ClientResponses.framedAsChunks(response)));
			if (instruct.hold() == null) {
				hold.startChain();
			}
		});
		return response.send(Flux.concat(start, initialBytes)).then().then(published);
	}

	/** The whole answer a hold of {@code instruct}'s kind gets when it is drained as soon as it is held. */
	private static ResponseTemplate drainedEnding(Instruct instruct, HoldMode mode) {
		ResponseTemplate response = instruct.response();
		if (mode != HoldMode.STREAM) {
			return response;
		}
		return new ResponseTemplate(response.code(), response.reason(), response.headers(), filteredInitial(instruct));
	}

	/** The initial content through the content filters of the channels (build-id, var-subst), as Pushpin does. */
	private static Content filteredInitial(Instruct instruct) {
		HoldInstruction hold = instruct.hold();
		if (hold == null) {
			return instruct.response().body();
		}
		try {
			return ContentFilters.applyToResponse(hold.channels().stream().map(ChannelSubscription::filters).toList(),
					instruct.meta(), instruct.response().body());
		}
		catch (ContentFilterException ex) {
			// Pushpin ends such a stream at once; the origin's own body is still better than nothing
			logger.info("Initial response of a stream sent unfiltered: " + ex.getMessage());
			return instruct.response().body();
		}
	}

	private void sendGone(App app, URI gone) {
		// the client is gone and nothing waits for this answer; the gateway's response timeout bounds it
		this.reliability.origin()
			.send(app, "POST", gone, List.of(), Map.of())
			.subscribe(answer -> {
			}, error -> logger.info("Gone link " + gone + " failed: " + error.getMessage()));
	}

	private static URI requestUri(ServerWebExchange exchange) {
		URI routed = exchange.getAttribute(
				org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		return (routed != null) ? routed : exchange.getRequest().getURI();
	}

	private static HttpServerResponse nativeResponse(ServerWebExchange exchange) {
		if (ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse()) instanceof HttpServerResponse netty) {
			return netty;
		}
		throw new IllegalStateException("GRIP holds need a Reactor Netty server response");
	}

	/** 503 for a hold the registry refused; while draining, the client's retry goes to another replica. */
	private Mono<Void> refuse(ServerWebExchange exchange) {
		return ClientResponses.error(exchange.getResponse(), 503,
				this.registry.isDraining() ? DRAINING : TOO_MANY_HOLDS);
	}

	private Mono<Void> refuse(HttpServerResponse response) {
		return ClientResponses.full(response, 503, null, List.of(new HeaderField("Content-Type", "text/plain")),
				Content.utf8(this.registry.isDraining() ? DRAINING : TOO_MANY_HOLDS), true);
	}

	private List<ChannelSubscription> limitChannels(ServerWebExchange exchange, List<ChannelSubscription> channels) {
		int max = this.registry.limits().maxSubscriptionsPerConnection();
		if (channels.size() > max) {
			// Pushpin drops the extra channels too; say so, since a silently missing subscription is hard to debug
			logger.info(exchange.getLogPrefix() + "Hold for " + exchange.getRequest().getPath() + " names "
					+ channels.size() + " channels; only the first " + max + " are subscribed");
		}
		return limit(channels);
	}

	private List<ChannelSubscription> limit(List<ChannelSubscription> channels) {
		int max = this.registry.limits().maxSubscriptionsPerConnection();
		return (channels.size() <= max) ? channels : channels.subList(0, max);
	}

	/** The timeout response's headers, each replaced by a published header of the same name. */
	private static List<HeaderField> overlay(List<HeaderField> base, HttpResponseFormat published) {
		List<HeaderField> merged = new ArrayList<>(base.size() + published.headers().size());
		for (HeaderField header : base) {
			if (!header.named("Content-Length") && published.headers().stream().noneMatch(p -> p.named(header.name()))) {
				merged.add(header);
			}
		}
		merged.addAll(published.headers());
		return merged;
	}

	private static List<HeaderField> reframed(List<HeaderField> headers) {
		return headers.stream()
			.filter(header -> !REFRAMED.contains(header.name().toLowerCase(Locale.ROOT)))
			.toList();
	}

	/** Whether a channel of the header form asks for a content filter, so the origin's body must be kept whole. */
	private static boolean filtersContent(List<HeaderField> headers) {
		for (HeaderField header : headers) {
			if (header.named(GripHeaders.GRIP_CHANNEL) && (header.value().contains(ContentFilters.BUILD_ID)
					|| header.value().contains(ContentFilters.VAR_SUBST))) {
				return true;
			}
		}
		return false;
	}

	private static boolean isJsonForm(List<HeaderField> headers) {
		String contentType = first(headers, "Content-Type");
		return contentType != null
				&& contentType.split(";", 2)[0].trim().equalsIgnoreCase(GripHeaders.INSTRUCT_CONTENT_TYPE);
	}

	private static @Nullable String first(List<HeaderField> headers, String name) {
		for (HeaderField header : headers) {
			if (header.named(name)) {
				return header.value();
			}
		}
		return null;
	}

	private static List<HeaderField> fields(HttpHeaders headers) {
		List<HeaderField> fields = new ArrayList<>(headers.size());
		headers.forEach(header -> fields.add(new HeaderField(header.getKey(), header.getValue())));
		return fields;
	}

	private static Runnable once(Runnable action) {
		AtomicBoolean done = new AtomicBoolean();
		return () -> {
			if (done.compareAndSet(false, true)) {
				action.run();
			}
		};
	}

}
