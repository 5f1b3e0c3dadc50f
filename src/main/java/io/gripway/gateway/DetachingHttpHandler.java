package io.gripway.gateway;

import java.util.HashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.netty.Connection;
import reactor.util.context.Context;

import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Lets a held response outlive the WebFlux exchange that started it.
 *
 * <p>
 * A held connection may wait minutes for a publish. Kept inside the exchange, it would keep the whole gateway
 * exchange alive all that time: attributes, the routed request, its header copies and the filter chain's
 * subscribers, about two thirds of the heap a held long-poll costs. So a filter that holds a connection
 * {@linkplain #detach detaches} a {@link HeldWrite} instead and completes; WebFlux then finishes with the exchange
 * (which commits nothing to the socket), and this decorator, between WebFlux and Reactor Netty, runs the held write on
 * the Reactor Netty response, which stays open until that write completes.
 *
 * <p>
 * The pending write waits in an attribute of the client's channel: requests on one HTTP/1.1 connection are handled
 * one after another, so there is at most one.
 */
public final class DetachingHttpHandler implements HttpHandler {

	private static final AttributeKey<HeldWrite> PENDING = AttributeKey.valueOf("gripway.heldWrite");

	private final HttpHandler delegate;

	public DetachingHttpHandler(HttpHandler delegate) {
		this.delegate = delegate;
	}

	/** What a detached response does once the exchange is over. */
	public interface HeldWrite {

		/** Writes the held response to the Reactor Netty response; the connection is held until this completes. */
		Mono<Void> write();

		/** The write will never start (the client went away first): release what the hold took. */
		void abandon();

	}

	/**
	 * Hands {@code write} over to run after the exchange of {@code response} completes. The caller's filter chain
	 * should complete without writing anything to {@code response}.
	 * @throws IllegalStateException when the response is not served by Reactor Netty
	 */
	public static void detach(ServerHttpResponse response, HeldWrite write) {
		if (!(ServerHttpResponseDecorator.getNativeResponse(response) instanceof Connection connection)) {
			throw new IllegalStateException("A held response needs a Reactor Netty server response");
		}
		HeldWrite previous = connection.channel().attr(PENDING).getAndSet(write);
		if (previous != null) {
			previous.abandon();
		}
	}

	@Override
	public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
		if (!(ServerHttpResponseDecorator.getNativeResponse(response) instanceof Connection connection)) {
			return this.delegate.handle(request, response);
		}
		return new ExchangeThenHeldWrite(connection.channel(), request, () -> this.delegate.handle(request, response));
	}

	/**
	 * {@code exchange}, then the write it detached on {@code channel} if it did, for a caller that serves requests
	 * beneath WebFlux (the passthrough fast path) and may carry out a GRIP answer on WebFlux's adapters made for it.
	 * @param exchange makes the exchange's publisher when subscribed; forgotten then
	 */
	public static Mono<Void> thenHeldWrite(Channel channel, Supplier<Mono<Void>> exchange) {
		return new ExchangeThenHeldWrite(channel, null, exchange);
	}

	private static @Nullable HeldWrite take(Channel channel) {
		Attribute<HeldWrite> pending = channel.attr(PENDING);
		return pending.getAndSet(null);
	}

	/**
	 * The exchange, then the held write if one was detached. Written out rather than {@code then(...)}: Reactor's
	 * operators keep the publishers they were assembled from, and the exchange's publishers (and the response's
	 * commit actions) refer to the exchange, so this one forgets them as soon as it has subscribed.
	 */
	private static final class ExchangeThenHeldWrite extends Mono<Void> {

		private final Channel channel;

		private @Nullable ServerHttpRequest request;

		private @Nullable Supplier<Mono<Void>> exchange;

		ExchangeThenHeldWrite(Channel channel, @Nullable ServerHttpRequest request, Supplier<Mono<Void>> exchange) {
			this.channel = channel;
			this.request = request;
			this.exchange = exchange;
		}

		@Override
		public void subscribe(CoreSubscriber<? super Void> actual) {
			ServerHttpRequest request = this.request;
			Supplier<Mono<Void>> exchange = this.exchange;
			this.request = null;
			this.exchange = null;
			if (exchange == null) {
				Operators.error(actual, new IllegalStateException("An exchange is handled once"));
				return;
			}
			exchange.get().subscribe(new Sequence(actual, this.channel, request));
		}

	}

	/**
	 * Subscribes to the held write when the exchange completes, and releases a detached write that will never start
	 * when the exchange fails or the client cancels first. Not on completion, which may already have let the
	 * connection's next request detach a write of its own.
	 */
	private static final class Sequence implements CoreSubscriber<Void>, Subscription {

		private final CoreSubscriber<? super Void> actual;

		private final Channel channel;

		private final AtomicReference<@Nullable Subscription> upstream = new AtomicReference<>();

		private @Nullable ServerHttpRequest request;

		private volatile boolean cancelled;

		// from false to true once, when the exchange completes; the held write's signals come after, maybe elsewhere
		private volatile boolean writing;

		Sequence(CoreSubscriber<? super Void> actual, Channel channel, @Nullable ServerHttpRequest request) {
			this.actual = actual;
			this.channel = channel;
			this.request = request;
		}

		@Override
		public Context currentContext() {
			return this.actual.currentContext();
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			Subscription previous = this.upstream.getAndSet(subscription);
			if (previous == null) {
				this.actual.onSubscribe(this);
			}
			if (this.cancelled) {
				subscription.cancel();
				return;
			}
			subscription.request(Long.MAX_VALUE);
		}

		@Override
		public void onNext(Void value) {
		}

		@Override
		public void onError(Throwable error) {
			abandon();
			this.actual.onError(error);
		}

		@Override
		public void onComplete() {
			if (this.writing) {
				this.actual.onComplete();
				return;
			}
			HeldWrite write = take(this.channel);
			if (write == null) {
				this.actual.onComplete();
				return;
			}
			this.writing = true;
			forgetExchange();
			Mono<Void> held;
			try {
				held = write.write();
			}
			catch (RuntimeException ex) {
				write.abandon();
				this.actual.onError(ex);
				return;
			}
			held.subscribe(this);
		}

		@Override
		public void request(long n) {
		}

		@Override
		public void cancel() {
			this.cancelled = true;
			Subscription subscription = this.upstream.get();
			if (subscription != null) {
				subscription.cancel();
			}
			abandon();
		}

		/**
		 * The request outlives the exchange (Reactor Netty's adapter keeps it for its log lines) and reaches the
		 * exchange through its attributes; a held response must not keep either.
		 */
		private void forgetExchange() {
			if (this.request instanceof AbstractServerHttpRequest request) {
				request.setAttributesSupplier(HashMap::new);
			}
			this.request = null;
		}

		private void abandon() {
			HeldWrite orphan = take(this.channel);
			if (orphan != null) {
				orphan.abandon();
			}
		}

	}

}
