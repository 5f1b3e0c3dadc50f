package io.gripway.gateway;

import java.util.ArrayList;
import java.util.List;

import io.gripway.http.HeaderField;
import io.gripway.instruct.GripHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientResponse;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES;

/**
 * Recognises GRIP instructions in an origin's response and hands the exchange to {@link GripResponder}; any other
 * response is left to the gateway, untouched and streamed.
 *
 * <p>
 * It acts after {@code NettyRoutingFilter} has received the origin's status and headers, and before
 * {@link NettyWriteResponseFilter} copies the body to the client. For a GRIP response it takes the origin connection
 * out of the exchange, so the gateway's writer finds nothing to write and this filter alone reads the origin's body
 * and writes the client's response (now, on publish, or on timeout).
 */
public final class GripFilter implements GlobalFilter, Ordered {

	/** Inside the response writer (-1), so its post-routing step runs before the writer's. */
	public static final int GRIP_FILTER_ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER + 1;

	private final GripResponder responder;

	public GripFilter(GripResponder responder) {
		this.responder = responder;
	}

	@Override
	public int getOrder() {
		return GRIP_FILTER_ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return chain.filter(exchange).then(Mono.defer(() -> takeOverIfGrip(exchange)));
	}

	private Mono<Void> takeOverIfGrip(ServerWebExchange exchange) {
		Connection connection = exchange.getAttribute(CLIENT_RESPONSE_CONN_ATTR);
		HttpClientResponse originResponse = exchange.getAttribute(CLIENT_RESPONSE_ATTR);
		if (connection == null || originResponse == null || exchange.getResponse().isCommitted()) {
			return Mono.empty();
		}
		HttpHeaders originHeaders = exchange.getResponse().getHeaders();
		// the common case, a response that is not GRIP, costs a scan of the header names and nothing else
		if (!isGrip(originHeaders)) {
			return Mono.empty();
		}
		// from here on the origin's response lives only in what this filter keeps of it: a held connection must not
		// keep the gateway's copy (and the client operations behind it) alive for minutes
		exchange.getAttributes().remove(CLIENT_RESPONSE_CONN_ATTR);
		exchange.getAttributes().remove(CLIENT_RESPONSE_ATTR);
		exchange.getAttributes().remove(CLIENT_RESPONSE_HEADER_NAMES);
		return takeOver(exchange, originResponse, connection, originHeaders);
	}

	/** Whether an origin's response with these headers (as the gateway's header filters left them) is GRIP. */
	public static boolean isGrip(HttpHeaders originHeaders) {
		return GripHeaders.isGripResponse(originHeaders.headerNames(),
				originHeaders.getFirst(HttpHeaders.CONTENT_TYPE));
	}

	/**
	 * Answers {@code exchange}'s client as the origin's GRIP response says: its status from {@code originResponse},
	 * its headers {@code originHeaders} (which may be the exchange's response headers: they are copied, then cleared),
	 * its body still to be read from {@code connection}.
	 */
	public Mono<Void> takeOver(ServerWebExchange exchange, HttpClientResponse originResponse, Connection connection,
			HttpHeaders originHeaders) {
		List<HeaderField> headers = fields(originHeaders);
		exchange.getResponse().getHeaders().clear();
		return this.responder.respond(exchange, originResponse.status().code(),
				originResponse.status().reasonPhrase(), headers, originResponse.requestHeaders(),
				new OriginBody(connection));
	}

	private static List<HeaderField> fields(HttpHeaders headers) {
		List<HeaderField> fields = new ArrayList<>(headers.size() + 4);
		headers.forEach((name, values) -> {
			for (String value : values) {
				fields.add(new HeaderField(name, value));
			}
		});
		return fields;
	}

}
