package io.gripway.gateway;

import java.io.IOException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ConnectTimeoutException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.RequestPath;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers a client whose origin could not be reached as a proxy should: {@code 502} when the origin is down, refuses
 * or breaks the connection, {@code 504} when it does not answer within the configured response timeout. Without it
 * the gateway would answer 500 with a JSON error page.
 */
public final class OriginFailureFilter implements GlobalFilter, Ordered {

	/**
	 * Just outside the response writer (-1), so it sees the routing filter's errors and those of an origin that hangs
	 * up after its headers but before its body's first byte, both before anything is written (inside the writer, the
	 * second got the client Spring Boot's 500 error page); inside {@link CrossOriginFilter}, so its answers get the
	 * cross-origin headers.
	 */
	public static final int ORIGIN_FAILURE_FILTER_ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

	static final String UNREACHABLE = "Error while proxying to origin.\n";

	static final String TIMED_OUT = "Timed out waiting for the origin.\n";

	private static final Log logger = LogFactory.getLog(OriginFailureFilter.class);

	@Override
	public int getOrder() {
		return ORIGIN_FAILURE_FILTER_ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return chain.filter(exchange)
			.onErrorResume(ex -> !exchange.getResponse().isCommitted(),
					ex -> answer(ex, exchange.getResponse(), exchange.getLogPrefix(), exchange.getRequest().getPath()));
	}

	/**
	 * The answer to a client whose request to the origin failed with {@code ex}, before anything was written: 504 for
	 * a timeout, 502 for an unreachable origin, else {@code ex} itself.
	 */
	public static Mono<Void> answer(Throwable ex, ServerHttpResponse response, String logPrefix, RequestPath path) {
		if (isTimeout(ex)) {
			logger.info(logPrefix + "Origin timed out for " + path);
			return ClientResponses.error(response, 504, TIMED_OUT);
		}
		if (isUnreachable(ex)) {
			logger.info(logPrefix + "Origin unreachable for " + path + ": " + ex);
			return ClientResponses.error(response, 502, UNREACHABLE);
		}
		return Mono.error(ex);
	}

	private static boolean isTimeout(Throwable ex) {
		return (ex instanceof ResponseStatusException status
				&& status.getStatusCode().value() == HttpStatus.GATEWAY_TIMEOUT.value())
				|| ex instanceof TimeoutException;
	}

	private static boolean isUnreachable(Throwable ex) {
		return ex instanceof IOException || ex instanceof ConnectTimeoutException
				|| ex instanceof UnknownHostException;
	}

}
