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
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers a client whose origin could not be reached as a proxy should: {@code 502} when the origin is down, refuses
 * or breaks the connection, {@code 504} when it does not answer within the configured response timeout. Without it
 * the gateway would answer 500 with a JSON error page.
 */
public final class OriginFailureFilter implements GlobalFilter, Ordered {

	/** Just inside {@link GripFilter}, so it sees the routing filter's errors before anything is written. */
	public static final int ORIGIN_FAILURE_FILTER_ORDER = GripFilter.GRIP_FILTER_ORDER + 1;

	static final String UNREACHABLE = "Error while proxying to origin.\n";

	static final String TIMED_OUT = "Timed out waiting for the origin.\n";

	private static final Log logger = LogFactory.getLog(OriginFailureFilter.class);

	@Override
	public int getOrder() {
		return ORIGIN_FAILURE_FILTER_ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return chain.filter(exchange).onErrorResume(ex -> !exchange.getResponse().isCommitted(), ex -> {
			if (isTimeout(ex)) {
				logger.info(exchange.getLogPrefix() + "Origin timed out for " + exchange.getRequest().getPath());
				return ClientResponses.error(exchange.getResponse(), 504, TIMED_OUT);
			}
			if (isUnreachable(ex)) {
				logger.info(exchange.getLogPrefix() + "Origin unreachable for " + exchange.getRequest().getPath()
						+ ": " + ex);
				return ClientResponses.error(exchange.getResponse(), 502, UNREACHABLE);
			}
			return Mono.error(ex);
		});
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
