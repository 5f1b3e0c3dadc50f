package io.gripway.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Times each request to an origin, from sending it to receiving the origin's status and headers, tagged with the
 * route id and the status class ({@code 2xx} ... {@code 5xx}, {@code error} for an unreachable origin,
 * {@code timeout}).
 *
 * <p>
 * Why not the gateway's own {@code spring.cloud.gateway.requests}: it wraps the whole filter chain, so for a GRIP hold
 * it measures how long the client was held (seconds to minutes), not how fast the origin answered; and its
 * {@code routeUri} and {@code path}-like tags are less bounded than a route id. This filter wraps only
 * {@link NettyRoutingFilter}, whose Mono completes once the origin's response headers have arrived.
 */
public final class OriginMetricsFilter implements GlobalFilter, Ordered {

	/** Just outside the routing filter, so only the origin round trip is timed. */
	public static final int ORIGIN_METRICS_FILTER_ORDER = NettyRoutingFilter.ORDER - 1;

	private final MeterRegistry registry;

	// route id -> status class -> timer: building and registering a timer on every request (tags sorted, common tags
	// merged, the registry's map searched) cost more than the request's own timing; route ids and status classes are few
	private final Map<String, Map<String, Timer>> timers = new ConcurrentHashMap<>();

	public OriginMetricsFilter(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public int getOrder() {
		return ORIGIN_METRICS_FILTER_ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return Mono.defer(() -> {
			Timer.Sample sample = start();
			return chain.filter(exchange)
				.doOnSuccess(done -> record(sample, routeId(exchange),
						statusClass(exchange.getResponse().getStatusCode())))
				.doOnError(ex -> record(sample, routeId(exchange), errorClass(ex)));
		});
	}

	/** Starts timing a request to an origin. */
	public Timer.Sample start() {
		return Timer.start(this.registry);
	}

	/** Records a request to an origin, timed from {@link #start}, on {@code route}, ended with {@code status}. */
	public void record(Timer.Sample sample, String route, String status) {
		sample.stop(timer(route, status));
	}

	private static String routeId(ServerWebExchange exchange) {
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		return (route != null) ? route.getId() : "unknown";
	}

	private Timer timer(String route, String status) {
		Map<String, Timer> byStatus = this.timers.get(route);
		Timer timer = (byStatus != null) ? byStatus.get(status) : null;
		if (timer == null) {
			timer = this.timers.computeIfAbsent(route, id -> new ConcurrentHashMap<>())
				.computeIfAbsent(status, tag -> Timer.builder(MeterNames.ORIGIN_REQUESTS)
					.description("Requests to origins, until the origin's response headers arrived")
					.tag(MeterNames.ROUTE, route)
					.tag(MeterNames.STATUS, tag)
					.publishPercentileHistogram()
					.register(this.registry));
		}
		return timer;
	}

	/** The status tag of a request the origin answered with {@code status}. */
	public static String statusClass(@Nullable HttpStatusCode status) {
		if (status == null) {
			return "error";
		}
		int hundreds = status.value() / 100;
		return (hundreds >= 1 && hundreds <= 5) ? hundreds + "xx" : "error";
	}

	/** The status tag of a request to an origin that failed with {@code ex}. */
	public static String errorClass(Throwable ex) {
		return (ex instanceof TimeoutException || (ex instanceof ResponseStatusException status
				&& status.getStatusCode().value() == 504)) ? "timeout" : "error";
	}

}
