package io.gripway.gateway;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Lets CORS preflight requests reach the gateway's routes, and so the origin, as Pushpin relays them.
 *
 * <p>
 * Spring's handler mappings answer every preflight themselves ({@code AbstractHandlerMapping} returns a no-op
 * handler for it), so the gateway's route would never see one: with no CORS configuration the browser gets an empty
 * {@code 200} without {@code Access-Control-*} headers and the actual request is never sent. This filter takes the
 * {@code Access-Control-Request-Method} header off the request, which makes it an ordinary {@code OPTIONS} to Spring,
 * and keeps its value in {@link #REQUEST_METHOD_ATTR}; {@link CrossOriginFilter}, the first gateway filter, puts it
 * back before anything reads the request.
 */
public final class PreflightRelayFilter implements WebFilter, Ordered {

	/** The {@code Access-Control-Request-Method} a preflight came with, until {@link #restore} puts it back. */
	public static final String REQUEST_METHOD_ATTR = PreflightRelayFilter.class.getName() + ".requestMethod";

	@Override
	public int getOrder() {
		// before the DispatcherHandler finds a handler; nothing earlier needs to see it as a preflight
		return Ordered.HIGHEST_PRECEDENCE + 10;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!CorsUtils.isPreFlightRequest(request)) {
			return chain.filter(exchange);
		}
		String method = request.getHeaders().getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD);
		exchange.getAttributes().put(REQUEST_METHOD_ATTR, method);
		return chain.filter(exchange.mutate()
			.request(request.mutate()
				.headers(headers -> headers.remove(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD))
				.build())
			.build());
	}

	/** {@code exchange} with its preflight's {@code Access-Control-Request-Method} back, if it had one. */
	static ServerWebExchange restore(ServerWebExchange exchange) {
		String method = exchange.getAttribute(REQUEST_METHOD_ATTR);
		if (method == null) {
			return exchange;
		}
		exchange.getAttributes().remove(REQUEST_METHOD_ATTR);
		return exchange.mutate()
			.request(exchange.getRequest()
				.mutate()
				.headers(headers -> headers.set(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, method))
				.build())
			.build();
	}

}
