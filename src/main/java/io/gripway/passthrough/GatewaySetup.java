package io.gripway.passthrough;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.XForwardedHeadersFilter;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.reactive.result.method.AbstractHandlerMethodMapping;
import org.springframework.web.server.WebFilter;

/**
 * Whether the gateway is set up the way the fast path reproduces: only the filters whose effect on a plain request
 * it knows (the gateway's own, Gripway's, with their defaults where they have settings), and no handler that could
 * take a request before the gateway's routes. Anything added (a filter of one's own, a library's, a controller on the
 * proxy port) turns the fast path off rather than be skipped by it.
 */
public final class GatewaySetup {

	// each does nothing to a plain GET on Gripway's route, or what the fast path does in its place
	private static final Set<String> GLOBAL_FILTERS = Set.of(
			"org.springframework.cloud.gateway.filter.AdaptCachedBodyGlobalFilter",
			"org.springframework.cloud.gateway.filter.RemoveCachedBodyFilter",
			"org.springframework.cloud.gateway.filter.ForwardPathFilter",
			"org.springframework.cloud.gateway.filter.ForwardRoutingFilter",
			"org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter",
			"org.springframework.cloud.gateway.filter.WebsocketRoutingFilter",
			"org.springframework.cloud.gateway.filter.NettyRoutingFilter",
			"org.springframework.cloud.gateway.filter.NettyWriteResponseFilter",
			// acts on lb: routes only
			"org.springframework.cloud.gateway.config.GatewayNoLoadBalancerClientAutoConfiguration$NoLoadBalancerClientFilter",
			"io.gripway.gateway.CrossOriginFilter", "io.gripway.gateway.GripFilter",
			"io.gripway.gateway.OriginFailureFilter", "io.gripway.gateway.RequestBodyRetainingFilter",
			"io.gripway.gateway.RequestTargetFilter", "io.gripway.metrics.OriginMetricsFilter",
			"io.gripway.websocket.GripWebSocketFilter");

	private static final Set<String> HEADERS_FILTERS = Set.of(
			"org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter",
			"org.springframework.cloud.gateway.filter.headers.XForwardedHeadersFilter",
			"org.springframework.cloud.gateway.filter.headers.RemoveXForwardedHeadersFilter",
			"org.springframework.cloud.gateway.filter.headers.RemoveForwardedHeadersFilter",
			"org.springframework.cloud.gateway.filter.headers.GRPCRequestHeadersFilter",
			"org.springframework.cloud.gateway.filter.headers.GRPCResponseHeadersFilter",
			"org.springframework.cloud.gateway.filter.headers.TransferEncodingNormalizationHeadersFilter",
			"io.gripway.gateway.GripRequestHeadersFilter");

	private static final Set<String> WEB_FILTERS = Set.of(
			"org.springframework.cloud.gateway.filter.WeightCalculatorWebFilter",
			"io.gripway.lifecycle.DrainingConnectionCloseFilter", "io.gripway.gateway.PreflightRelayFilter");

	private GatewaySetup() {
	}

	/** What in this setup the fast path does not reproduce; empty when it may be used. */
	public static List<String> differences(Collection<GlobalFilter> globalFilters,
			Collection<HttpHeadersFilter> headersFilters, Collection<WebFilter> webFilters,
			Collection<HandlerMapping> handlerMappings, boolean autoCrossOrigin, boolean serverObservations) {
		List<String> differences = new ArrayList<>();
		unknown("global filter", globalFilters, GLOBAL_FILTERS, differences);
		unknown("headers filter", headersFilters, HEADERS_FILTERS, differences);
		unknown("web filter", webFilters, WEB_FILTERS, differences);
		for (HttpHeadersFilter filter : headersFilters) {
			if (filter instanceof XForwardedHeadersFilter forwarded && !hasDefaults(forwarded)) {
				differences.add("X-Forwarded-* headers configured other than by default");
			}
		}
		int routesOrder = handlerMappings.stream()
			.filter(RoutePredicateHandlerMapping.class::isInstance)
			.mapToInt(GatewaySetup::order)
			.findFirst()
			.orElse(Integer.MIN_VALUE);
		for (HandlerMapping mapping : handlerMappings) {
			if (order(mapping) < routesOrder && !isEmpty(mapping)) {
				differences.add("handler before the gateway's routes: " + mapping.getClass().getName());
			}
		}
		if (autoCrossOrigin) {
			differences.add("auto cross-origin (gripway.cors.auto) is on");
		}
		if (serverObservations) {
			differences.add("the http.server.requests observation is on");
		}
		return differences;
	}

	private static void unknown(String kind, Collection<?> beans, Set<String> known, List<String> differences) {
		for (Object bean : beans) {
			if (!known.contains(bean.getClass().getName())) {
				differences.add(kind + " " + bean.getClass().getName());
			}
		}
	}

	private static boolean hasDefaults(XForwardedHeadersFilter filter) {
		return filter.isEnabled() && filter.isForEnabled() && filter.isHostEnabled() && filter.isPortEnabled()
				&& filter.isProtoEnabled() && filter.isPrefixEnabled() && filter.isForAppend()
				&& filter.isHostAppend() && filter.isPortAppend() && filter.isProtoAppend() && filter.isPrefixAppend();
	}

	private static int order(HandlerMapping mapping) {
		return (mapping instanceof Ordered ordered) ? ordered.getOrder() : Ordered.LOWEST_PRECEDENCE;
	}

	private static boolean isEmpty(HandlerMapping mapping) {
		if (mapping instanceof RouterFunctionMapping functions) {
			return functions.getRouterFunction() == null;
		}
		// controllers, and actuator endpoints served on the proxy port
		return mapping instanceof AbstractHandlerMethodMapping<?> methods && methods.getHandlerMethods().isEmpty();
	}

}
