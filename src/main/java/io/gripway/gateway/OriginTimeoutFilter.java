package io.gripway.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Gives an origin {@code timeout} to answer a request with its status and headers, then fails the request with a
 * {@code 504} (which {@link OriginFailureFilter} writes). What the origin's body takes afterwards is not timed: a
 * stream may go on for hours.
 *
 * <p>
 * Why not the gateway's {@code httpclient.response-timeout}, which times the same span: it is Reactor's
 * {@code Flux.timeout} on the shared parallel scheduler, so every request puts a timer into, and takes it out of, a
 * locked queue served by another thread: about 13 µs of CPU per request here, 5 % of a plain request's whole cost
 * (bench/README.md, scenario P). This timer goes on the client connection's own event loop, where the request is
 * already running: a heap insert and removal with no lock.
 *
 * <p>
 * A route with its own {@code response-timeout} metadata keeps the gateway's timer instead (including {@code -1}, for
 * none); the gateway's global setting, if set, still applies on top of this one.
 */
public final class OriginTimeoutFilter implements GlobalFilter, Ordered {

	/** Just outside the routing filter, whose completion is the origin's status and headers arriving. */
	public static final int ORIGIN_TIMEOUT_FILTER_ORDER = NettyRoutingFilter.ORDER - 1;

	/** The gateway's per-route metadata key, which takes precedence. */
	static final String ROUTE_RESPONSE_TIMEOUT = "response-timeout";

	private final Duration timeout;

	// one per event loop (a few): Reactor's view of the loop as a scheduler
	private final Map<EventLoop, Scheduler> schedulers = new ConcurrentHashMap<>();

	/** @param timeout how long an origin has for its status and headers; zero for no limit */
	public OriginTimeoutFilter(Duration timeout) {
		this.timeout = timeout;
	}

	@Override
	public int getOrder() {
		return ORIGIN_TIMEOUT_FILTER_ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		if (this.timeout.isZero() || (route != null && route.getMetadata().containsKey(ROUTE_RESPONSE_TIMEOUT))) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange)
			.timeout(Mono.delay(this.timeout, scheduler(exchange)), Mono.error(() -> new ResponseStatusException(
					HttpStatus.GATEWAY_TIMEOUT, "Response took longer than timeout: " + this.timeout)));
	}

	private Scheduler scheduler(ServerWebExchange exchange) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		if (nativeRequest instanceof Connection connection) {
			return this.schedulers.computeIfAbsent(connection.channel().eventLoop(), Schedulers::fromExecutorService);
		}
		return Schedulers.parallel();
	}

}
