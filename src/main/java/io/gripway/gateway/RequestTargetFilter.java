package io.gripway.gateway;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;

/**
 * Relays the client's request target (path and query) to the origin byte for byte.
 *
 * <p>
 * {@link RouteToRequestUrlFilter} makes the origin URL with {@code UriComponentsBuilder.fromUri(request)}, which
 * parses the query into a multi-value map and writes it out again: repeated parameters are grouped
 * ({@code a=1&b=2&a=3} becomes {@code a=1&a=3&b=2}), empty ones dropped ({@code a&&b} becomes {@code a&b}) and a
 * bare {@code ?} is lost. Signed URLs and HMAC'd query strings no longer verify at the origin. This keeps the scheme,
 * host and port that filter chose from the route and puts back the request's raw path and query, as the route's own
 * filters left them (they run before it: {@code StripPrefix} or {@code SetPath} still apply, and Spring keeps the
 * raw query when they change the path). Every way to the origin reads this URL: plain and held requests (the
 * routing filters) and WebSockets ({@code GripWebSocketFilter}).
 */
public final class RequestTargetFilter implements GlobalFilter, Ordered {

	/** Right after the URL is made, before anything (routing, WebSockets) reads it. */
	public static final int REQUEST_TARGET_FILTER_ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;

	// the schemes whose URL is a host and a request target; forward: and the like are left alone
	private static final Set<String> NETWORK_SCHEMES = Set.of("http", "https", "ws", "wss");

	@Override
	public int getOrder() {
		return REQUEST_TARGET_FILTER_ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
		if (url != null && url.getScheme() != null && url.getRawAuthority() != null
				&& NETWORK_SCHEMES.contains(url.getScheme().toLowerCase(Locale.ROOT))) {
			exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, withTarget(url, exchange.getRequest().getURI()));
		}
		return chain.filter(exchange);
	}

	/** {@code origin}'s scheme and authority with {@code request}'s raw path and query, none of them re-encoded. */
	public static URI withTarget(URI origin, URI request) {
		// most targets come through unchanged, and a URI parse is a good part of a plain request's own cost here
		if (Objects.equals(origin.getRawPath(), request.getRawPath())
				&& Objects.equals(origin.getRawQuery(), request.getRawQuery())) {
			return origin;
		}
		return URI.create(target(origin, request));
	}

	/** What {@link #withTarget} makes, as text, for a caller that needs no {@code URI} parsed from it. */
	public static String target(URI origin, URI request) {
		String path = request.getRawPath();
		// an empty query is kept: "/get?" is not "/get"
		String query = request.getRawQuery();
		return target(origin, ((path != null) ? path : "") + ((query != null) ? "?" + query : ""));
	}

	/**
	 * The same, from a request target as it came (raw path, then {@code ?} and raw query if there is one), for a
	 * caller that has it and no {@code URI} of the request.
	 */
	public static String target(URI origin, String requestTarget) {
		return origin.getScheme() + "://" + origin.getRawAuthority() + requestTarget;
	}

}
