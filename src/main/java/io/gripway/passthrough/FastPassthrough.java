package io.gripway.passthrough;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import io.gripway.gateway.GripFilter;
import io.gripway.gateway.OriginFailureFilter;
import io.gripway.gateway.RequestTargetFilter;
import io.gripway.hold.HoldRegistry;
import io.gripway.lifecycle.DrainingConnectionCloseFilter;
import io.gripway.metrics.OriginMetricsFilter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.adapter.DefaultServerWebExchange;
import org.springframework.web.server.adapter.HttpWebHandlerAdapter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Relays a plain request on Gripway's own route straight to its origin, as the gateway would and with the same
 * effect on the wire, but without the WebFlux exchange, the handler mappings, the route lookup and the gateway's
 * filter chain: measured, that machinery was most of what a passthrough request cost (bench/README.md, "Scenario P").
 *
 * <p>
 * A plain request is a {@code GET} over HTTP/1.x without a body, an upgrade, forwarded or other hop-by-hop headers
 * ({@link OriginRequestHeaders}), on a route {@link PlainRoutes} knows. Each step is the one the gateway's path takes,
 * done by the same code where it can be: the request target ({@link RequestTargetFilter}), the origin request
 * (Spring Cloud Gateway's {@code HttpClient}, timeouts and header handling as {@code NettyRoutingFilter}), its timer
 * ({@link OriginMetricsFilter}), a 502 or 504 ({@link OriginFailureFilter}), {@code Connection: close} while draining
 * ({@link DrainingConnectionCloseFilter}), a GRIP answer ({@link GripFilter}, on an exchange made for it) or the
 * origin's answer streamed back (as {@code NettyWriteResponseFilter}). Every other request goes to the gateway.
 * One difference is deliberate: a failure that is neither the origin's timeout nor its connection (none is known)
 * gets a bare 500 and a log line, where the gateway's path renders Spring Boot's JSON error page.
 *
 * <h3>Thread safety</h3> Shared by every request; its one piece of state, which content types stream, is a
 * concurrent map.
 */
public final class FastPassthrough implements HttpHandler {

	private static final Log logger = LogFactory.getLog(FastPassthrough.class);

	private static final int MAX_CONTENT_TYPES = 64;

	private final HttpWebHandlerAdapter gateway;

	private final PlainRoutes routes;

	private final OriginRequestHeaders headers;

	private final Relay relay;

	// whether a content type is one the gateway flushes per chunk, by the origin's spelling of it
	private final Map<String, Boolean> streamingContentTypes = new ConcurrentHashMap<>();

	private FastPassthrough(HttpWebHandlerAdapter gateway, PlainRoutes routes, OriginRequestHeaders headers,
			Relay relay) {
		this.gateway = gateway;
		this.routes = routes;
		this.headers = headers;
		this.relay = relay;
	}

	/**
	 * What relaying takes: the gateway's client and settings, and the parts of Gripway's path it shares.
	 * @param client the gateway's {@code HttpClient}, with its connect timeout applied
	 * @param responseTimeout the gateway's response timeout, {@code null} for none
	 * @param hopByHop the lower-case names the gateway's {@code RemoveHopByHopHeadersFilter} removes
	 * @param streamingMediaTypes the media types whose bodies the gateway flushes piece by piece
	 * @param relayed counts the requests relayed here
	 */
	public record Relay(HttpClient client, @Nullable Duration responseTimeout, Set<String> hopByHop,
			List<MediaType> streamingMediaTypes, GripFilter grip, OriginMetricsFilter metrics, HoldRegistry registry,
			Counter relayed) {
	}

	/**
	 * The fast path, ready to be put in front of the gateway.
	 * @param differences what in the gateway's setup the fast path does not reproduce ({@link GatewaySetup}); when
	 * there is any, the gateway is left alone
	 */
	public record Setup(PlainRoutes routes, OriginRequestHeaders headers, Relay relay, List<String> differences) {

		/** {@code gateway} with the fast path in front of it, or {@code gateway} itself when it cannot be. */
		public HttpHandler decorate(HttpHandler gateway) {
			if (!this.differences.isEmpty()) {
				logger.info("Passthrough fast path not used: " + String.join("; ", this.differences));
				return gateway;
			}
			if (!(gateway instanceof HttpWebHandlerAdapter adapter)) {
				logger.info("Passthrough fast path not used: the web handler is not WebFlux's own");
				return gateway;
			}
			if (adapter.getForwardedHeaderTransformer() != null) {
				logger.info("Passthrough fast path not used: the framework applies forwarded headers to requests");
				return gateway;
			}
			this.routes.resolve();
			return new FastPassthrough(adapter, this.routes, this.headers, this.relay);
		}

	}

	@Override
	public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
		if (request.getMethod() != org.springframework.http.HttpMethod.GET || !isHttp1(request)) {
			return this.gateway.handle(request, response);
		}
		PlainRoutes.Target target = this.routes.target(request);
		DefaultHttpHeaders originHeaders = (target != null) ? this.headers.of(request) : null;
		if (target == null || originHeaders == null) {
			return this.gateway.handle(request, response);
		}
		return relay(request, response, target, originHeaders);
	}

	private static boolean isHttp1(ServerHttpRequest request) {
		return ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest netty
				&& netty.version().majorVersion() == 1;
	}

	private Mono<Void> relay(ServerHttpRequest request, ServerHttpResponse response, PlainRoutes.Target target,
			DefaultHttpHeaders originHeaders) {
		Relay relay = this.relay;
		relay.relayed().increment();
		DrainingConnectionCloseFilter.closeWhileDraining(response, relay.registry());
		String url = RequestTargetFilter.target(target.origin(), request.getURI());
		String route = target.route().getId();
		Timer.Sample sample = relay.metrics().start();
		Mono<Answer> sent = relay.client().headers(headers -> {
			headers.add(originHeaders);
			headers.remove(HttpHeaderNames.HOST);
		})
			.request(HttpMethod.GET)
			.uri(ascii(url))
			.send((clientRequest, outbound) -> outbound
				.send(request.getBody().map(buffer -> ((NettyDataBuffer) buffer).getNativeBuffer())))
			.responseConnection((originResponse, connection) -> Mono.just(new Answer(originResponse, connection)))
			// not next(): it would cancel the exchange with the origin once the headers are in
			.singleOrEmpty();
		Duration timeout = relay.responseTimeout();
		if (timeout != null) {
			// as NettyRoutingFilter: with an error of its own, Reactor does not work out a description of the
			// source (a regular expression over class names) for every request
			sent = sent.timeout(timeout,
					Mono.error(() -> new TimeoutException("Response took longer than timeout: " + timeout)));
		}
		return sent.doOnSuccess(done -> relay.metrics()
			.record(sample, route, OriginMetricsFilter
				.statusClass((done != null) ? HttpStatusCode.valueOf(done.response().status().code()) : null)))
			.doOnError(ex -> relay.metrics().record(sample, route, OriginMetricsFilter.errorClass(ex)))
			.flatMap(done -> answer(request, response, target, url, done))
			.onErrorResume(ex -> !response.isCommitted(), ex -> failed(ex, request, response))
			.then(Mono.defer(response::setComplete));
	}

	/** A 502 or 504 as the gateway's path answers them; 500 for anything else that failed before the answer. */
	private static Mono<Void> failed(Throwable ex, ServerHttpRequest request, ServerHttpResponse response) {
		return OriginFailureFilter.answer(ex, response, logPrefix(request), request.getPath())
			.onErrorResume(unexpected -> !response.isCommitted(), unexpected -> {
				logger.warn(logPrefix(request) + "Passthrough to origin failed for " + request.getPath(), unexpected);
				response.setStatusCode(HttpStatus.INTERNAL_SERVER_ERROR);
				return Mono.empty();
			});
	}

	private record Answer(HttpClientResponse response, Connection connection) {
	}

	private Mono<Void> answer(ServerHttpRequest request, ServerHttpResponse response, PlainRoutes.Target target,
			String url, Answer answer) {
		HttpClientResponse originResponse = answer.response();
		Connection connection = answer.connection();
		HttpHeaders headers = withoutHopByHop(originResponse.responseHeaders(), this.relay.hopByHop());
		setStatus(response, originResponse.status().code());
		if (GripFilter.isGrip(headers)) {
			return this.relay.grip().takeOver(exchange(request, response, target, url), originResponse, connection,
					headers);
		}
		return Mono.defer(() -> {
			response.getHeaders().addAll(headers);
			NettyDataBufferFactory buffers = (NettyDataBufferFactory) response.bufferFactory();
			Flux<DataBuffer> body = connection.inbound().receive().retain().map(buffers::wrap);
			return isStreaming(response.getHeaders()) ? response.writeAndFlushWith(body.map(Flux::just))
					: response.writeWith(body);
		}).doFinally(signal -> {
			// the origin's connection goes back to the pool only after a whole body; else it is closed
			if (signal == SignalType.CANCEL || signal == SignalType.ON_ERROR) {
				connection.dispose();
			}
		});
	}

	/**
	 * As the gateway's {@code RemoveHopByHopHeadersFilter} does to a response, in one pass: the origin's headers
	 * grouped by name (first spelling kept) as Spring's {@code HttpHeaders} group them, without the hop-by-hop ones
	 * and those its {@code Connection} header names.
	 */
	private static HttpHeaders withoutHopByHop(io.netty.handler.codec.http.HttpHeaders origin, Set<String> hopByHop) {
		List<String> connectionOptions = new ArrayList<>();
		for (String value : origin.getAll(HttpHeaderNames.CONNECTION)) {
			for (String option : StringUtils.tokenizeToStringArray(value, ",")) {
				connectionOptions.add(option.toLowerCase(Locale.ROOT));
			}
		}
		HttpHeaders kept = new HttpHeaders();
		for (Map.Entry<String, String> header : origin) {
			String lower = header.getKey().toLowerCase(Locale.ROOT);
			if (!hopByHop.contains(lower) && !connectionOptions.contains(lower)) {
				kept.add(header.getKey(), header.getValue());
			}
		}
		return kept;
	}

	private static void setStatus(ServerHttpResponse response, int code) {
		HttpStatus status = HttpStatus.resolve(code);
		if (status != null) {
			response.setStatusCode(status);
		}
		else if (response instanceof AbstractServerHttpResponse raw) {
			raw.setRawStatusCode(code);
		}
	}

	private boolean isStreaming(HttpHeaders headers) {
		String contentType = headers.getFirst(HttpHeaders.CONTENT_TYPE);
		if (contentType == null) {
			return false;
		}
		Boolean known = this.streamingContentTypes.get(contentType);
		if (known != null) {
			return known;
		}
		boolean streaming = isStreaming(contentType, this.relay.streamingMediaTypes());
		// an origin's content types are few; one that varies per response (a boundary, say) is not kept
		if (this.streamingContentTypes.size() < MAX_CONTENT_TYPES) {
			this.streamingContentTypes.put(contentType, streaming);
		}
		return streaming;
	}

	private static boolean isStreaming(String contentType, List<MediaType> streamingMediaTypes) {
		MediaType type;
		try {
			type = MediaType.parseMediaType(contentType);
		}
		catch (InvalidMediaTypeException ex) {
			return false;
		}
		for (MediaType streaming : streamingMediaTypes) {
			if (streaming.isCompatibleWith(type)) {
				return true;
			}
		}
		return false;
	}

	/** The exchange a GRIP answer is carried out on, with what the gateway's path would have put in it. */
	private ServerWebExchange exchange(ServerHttpRequest request, ServerHttpResponse response,
			PlainRoutes.Target target, String url) {
		ServerWebExchange exchange = new DefaultServerWebExchange(request, response, this.gateway.getSessionManager(),
				this.gateway.getCodecConfigurer(), this.gateway.getLocaleContextResolver());
		exchange.getAttributes().put(GATEWAY_ROUTE_ATTR, target.route());
		exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, URI.create(url));
		return exchange;
	}

	/** As {@code URI.toASCIIString()} would write {@code url} (the gateway's path sends that), without a parse. */
	private static String ascii(String url) {
		for (int i = 0; i < url.length(); i++) {
			if (url.charAt(i) >= 0x80) {
				return URI.create(url).toASCIIString();
			}
		}
		return url;
	}

	private static String logPrefix(ServerHttpRequest request) {
		return "[" + request.getId() + "] ";
	}

}
