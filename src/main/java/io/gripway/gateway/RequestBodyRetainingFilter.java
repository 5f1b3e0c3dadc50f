package io.gripway.gateway;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Keeps a small request body (up to {@code maxBytes}, by its {@code Content-Length}) while it is sent to the origin,
 * so that a long-poll whose request had one can be retried with it (GRIP reference §3.4: the retry sends the same
 * method, URI and body), as Pushpin keeps request bodies of up to 100,000 bytes for the same reason. Bodies without a
 * length (chunked) or larger than the limit stream through untouched, and a long-poll made with one is not retried.
 *
 * <p>
 * The body is read whole before routing (one copy, released at once) and replayed to the routing filter; the bytes
 * live in an exchange attribute until the exchange is over, and in the hold of a long-poll for its life.
 */
public final class RequestBodyRetainingFilter implements GlobalFilter, Ordered {

	/** The kept body, a {@code byte[]}, when there was one within the limit. */
	public static final String BODY_ATTR = RequestBodyRetainingFilter.class.getName() + ".body";

	/** Just before the routing filter reads the body to send it. */
	public static final int ORDER = NettyRoutingFilter.ORDER - 1;

	private final long maxBytes;

	public RequestBodyRetainingFilter(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		long length = request.getHeaders().getContentLength();
		if (length <= 0 || length > this.maxBytes) {
			return chain.filter(exchange);
		}
		return DataBufferUtils.join(request.getBody(), (int) this.maxBytes)
			.map(joined -> {
				byte[] bytes = new byte[joined.readableByteCount()];
				joined.read(bytes);
				DataBufferUtils.release(joined);
				return bytes;
			})
			.defaultIfEmpty(new byte[0])
			.flatMap(bytes -> {
				exchange.getAttributes().put(BODY_ATTR, bytes);
				ServerHttpRequest replayed = new ServerHttpRequestDecorator(request) {
					@Override
					public Flux<DataBuffer> getBody() {
						return Flux.defer(() -> Flux.just(exchange.getResponse().bufferFactory().wrap(bytes)));
					}
				};
				return chain.filter(exchange.mutate().request(replayed).build());
			});
	}

}
