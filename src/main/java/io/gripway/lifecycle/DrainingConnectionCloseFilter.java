package io.gripway.lifecycle;

import io.gripway.hold.HoldRegistry;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * While the node drains, every response on the proxy port carries {@code Connection: close}, so the client's next
 * request (a long-poll's re-poll, a retry after the 503) opens a new connection, which the load balancer sends to
 * another replica, instead of reusing a keep-alive connection to this one.
 */
public final class DrainingConnectionCloseFilter implements WebFilter, Ordered {

	private final HoldRegistry registry;

	public DrainingConnectionCloseFilter(HoldRegistry registry) {
		this.registry = registry;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		closeWhileDraining(exchange.getResponse(), this.registry);
		return chain.filter(exchange);
	}

	/** Makes {@code response} carry {@code Connection: close} if the node drains when it is committed. */
	public static void closeWhileDraining(ServerHttpResponse response, HoldRegistry registry) {
		response.beforeCommit(() -> {
			if (registry.isDraining()) {
				response.getHeaders().set(HttpHeaders.CONNECTION, "close");
			}
			return Mono.empty();
		});
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
