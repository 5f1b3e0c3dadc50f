package io.gripway.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.gripway.gateway.DetachingHttpHandler.HeldWrite;
import io.gripway.hold.HoldRegistry;
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
 */
public final class GripResponder {

	private static final Log logger = LogFactory.getLog(GripResponder.class);

	static final String BAD_INSTRUCTION = "Error while proxying to origin.\n";

	static final String TOO_MANY_HOLDS = "Too many held connections.\n";

	static final String DRAINING = "Service restarting; retry.\n";

	private final HoldRegistry registry;

	private final long maxResponseBody;

	private final int streamQueueCapacity;

	private final Scheduler timer;

	public GripResponder(HoldRegistry registry, long maxResponseBody, int streamQueueCapacity, Scheduler timer) {
		this.registry = registry;
		this.maxResponseBody = maxResponseBody;
		this.streamQueueCapacity = streamQueueCapacity;
		this.timer = timer;
	}

	Mono<Void> respond(ServerWebExchange exchange, int status, String reason, List<HeaderField> headers,
			OriginBody body) {
		// a header-form stream hold streams the origin's body to the client instead of keeping it
		boolean streamOriginBody = !isJsonForm(headers) && "stream".equals(first(headers, GripHeaders.GRIP_HOLD));
		Mono<Content> kept = streamOriginBody ? Mono.just(Content.EMPTY) : body.aggregate(this.maxResponseBody);
		return kept.flatMap(content -> {
			Instruct instruct;
			try {
				instruct = InstructParser.parse(status, reason, headers, content);
			}
			catch (InvalidInstructException ex) {
				logger.warn(exchange.getLogPrefix() + "Invalid GRIP instruction from origin for "
						+ exchange.getRequest().getPath() + ": " + ex.getMessage());
				body.discard();
				return ClientResponses.error(exchange.getResponse(), 502, BAD_INSTRUCTION);
			}
			HoldInstruction hold = instruct.hold();
			if (hold == null) {
				ResponseTemplate response = instruct.response();
				return ClientResponses.full(exchange.getResponse(), response.code(), response.reason(),
						response.headers(), response.body());
			}
			List<ChannelSubscription> channels = limitChannels(exchange, hold.channels());
			if (hold.mode() == HoldMode.RESPONSE) {
				return holdResponse(exchange, instruct, hold, channels);
			}
			return holdStream(exchange, instruct, hold, channels, streamOriginBody ? body : null);
		}).onErrorResume(OriginBodyTooLargeException.class, ex -> {
			logger.warn(exchange.getLogPrefix() + "GRIP response from origin for " + exchange.getRequest().getPath()
					+ " rejected: " + ex.getMessage());
			body.discard();
			return ClientResponses.error(exchange.getResponse(), 502, BAD_INSTRUCTION);
		});
	}

	private Mono<Void> holdResponse(ServerWebExchange exchange, Instruct instruct, HoldInstruction instruction,
			List<ChannelSubscription> channels) {
		ResponseHold hold = new ResponseHold(channels, instruct.meta());
		if (!this.registry.register(hold)) {
			return refuse(exchange);
		}
		ResponseTemplate timeout = instruct.response();
		Duration wait = instruction.timeout();
		HttpServerResponse response = nativeResponse(exchange);
		// nothing below may refer to the exchange: it is over while the hold waits (see DetachingHttpHandler)
		DetachingHttpHandler.detach(exchange.getResponse(), new HeldWrite() {
			@Override
			public Mono<Void> write() {
				// choose the response first, then write it: the write is a Mono<Void>, which completes empty, so a
				// switchIfEmpty after it would write the timeout response over the published one
				return hold.released(wait)
					.map(published -> new ResponseTemplate(published.code(), published.reason(),
							overlay(timeout.headers(), published), published.body()))
					.defaultIfEmpty(timeout)
					.flatMap(answer -> ClientResponses.full(response, answer.code(), answer.reason(),
							answer.headers(), answer.body(), GripResponder.this.registry.isDraining()))
					.doFinally(signal -> GripResponder.this.registry.unregister(hold));
			}

			@Override
			public void abandon() {
				GripResponder.this.registry.unregister(hold);
			}
		});
		return Mono.empty();
	}

	private Mono<Void> holdStream(ServerWebExchange exchange, Instruct instruct, HoldInstruction instruction,
			List<ChannelSubscription> channels, @Nullable OriginBody originBody) {
		HttpServerResponse response = nativeResponse(exchange);
		Channel channel = ((Connection) response).channel();
		StreamHold hold = new StreamHold(channels, instruct.meta(), instruction.keepAlive(), this.streamQueueCapacity,
				// closing the channel itself: disposing Reactor Netty's response leaves a busy connection open
				this.timer, () -> channel.close());
		if (!this.registry.register(hold)) {
			if (originBody != null) {
				originBody.discard();
			}
			return refuse(exchange);
		}
		ResponseTemplate initial = instruct.response();
		// the one cleanup, whether the held write ran or never started
		Runnable release = () -> {
			hold.detach();
			this.registry.unregister(hold);
			if (originBody != null) {
				originBody.discard();
			}
		};
		// nothing below may refer to the exchange: it is over while the hold streams (see DetachingHttpHandler)
		DetachingHttpHandler.detach(exchange.getResponse(), new HeldWrite() {
			@Override
			public Mono<Void> write() {
				ClientResponses.head(response, initial.code(), initial.reason(), initial.headers(),
						GripResponder.this.registry.isDraining());
				ClientResponses.chunked(response);
				// an empty first write commits the status and headers at once, whatever follows and however late
				Flux<ByteBuf> start = Flux.just(Unpooled.EMPTY_BUFFER);
				Flux<ByteBuf> originBytes = (originBody != null) ? Flux.defer(originBody::stream)
						: Flux.just(ClientResponses.buffer(initial.body()));
				// published content follows the origin's body, written by the hold's own output (not a reactive
				// pipeline per subscriber); what is published meanwhile waits in the hold
				Mono<Void> published = Mono.create(done -> hold.attach(
						new ChannelStreamOutput(channel, GripResponder.this.streamQueueCapacity, done)));
				return response.send(Flux.concat(start, originBytes)).then().then(published)
					.doFinally(signal -> release.run());
			}

			@Override
			public void abandon() {
				release.run();
			}
		});
		return Mono.empty();
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

	private List<ChannelSubscription> limitChannels(ServerWebExchange exchange, List<ChannelSubscription> channels) {
		int max = this.registry.limits().maxSubscriptionsPerConnection();
		if (channels.size() <= max) {
			return channels;
		}
		// Pushpin drops the extra channels too; say so, since a silently missing subscription is hard to debug
		logger.info(exchange.getLogPrefix() + "Hold for " + exchange.getRequest().getPath() + " names "
				+ channels.size() + " channels; only the first " + max + " are subscribed");
		return channels.subList(0, max);
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

}
