package io.gripway.passthrough;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

import io.gripway.gateway.DetachingHttpHandler;
import io.gripway.gateway.GripFilter;
import io.gripway.gateway.OriginFailureFilter;
import io.gripway.gateway.RequestTargetFilter;
import io.gripway.hold.HoldRegistry;
import io.gripway.instruct.GripHeaders;
import io.gripway.lifecycle.DrainingConnectionCloseFilter;
import io.gripway.metrics.OriginMetricsFilter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.adapter.DefaultServerWebExchange;
import org.springframework.web.server.adapter.HttpWebHandlerAdapter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Relays a plain request on Gripway's own route straight to its origin, as the gateway would and with the same
 * effect on the wire, but beneath WebFlux: without the exchange, its request and response adapters, the handler
 * mappings, the route lookup and the gateway's filter chain. Measured, that machinery was most of what a passthrough
 * request cost (bench/README.md, "Scenario P").
 *
 * <p>
 * It is a route of the proxy port's Reactor Netty server ({@link Setup#route}), ahead of the one Spring Boot adds for
 * WebFlux; it takes every {@code GET} over HTTP/1.x and hands those that are not plain to WebFlux, on adapters made
 * as Spring Boot's route makes them. A plain request has no body, upgrade, forwarded or other hop-by-hop headers
 * ({@link OriginRequestHeaders}), a URI WebFlux would take as it came ({@link RequestUri}), and a route
 * {@link PlainRoutes} knows. Each step is the one the gateway's path takes, done by the same code where it can be: the
 * request target ({@link RequestTargetFilter}), the origin request (Spring Cloud Gateway's {@code HttpClient},
 * timeouts and header handling as {@code NettyRoutingFilter}), its timer ({@link OriginMetricsFilter}),
 * {@code Connection: close} while draining ({@link DrainingConnectionCloseFilter}), the origin's answer streamed back
 * (as {@code NettyWriteResponseFilter} and WebFlux's Reactor Netty response write it, flushed per piece for
 * streaming media types). The rare answers that need WebFlux get it, on adapters made for that request: a GRIP
 * answer ({@link GripFilter}, on an exchange made for it), a 502 or 504 ({@link OriginFailureFilter}).
 *
 * <p>
 * Two differences are deliberate. The origin's status and headers go to the client as they come, where WebFlux
 * commits nothing before the body's first piece: an origin that hangs up between the two gets the client a 502 from
 * the gateway, and from here the status it sent and a closed connection, as from a streaming proxy (holding the
 * headers back would cost an operator per request, and the care of the piece it holds when the client leaves). And a
 * failure that is neither the origin's timeout nor its connection (none is known) gets a bare 500 and a log line,
 * where the gateway's path renders Spring Boot's JSON error page.
 *
 * <h3>Thread safety</h3> Shared by every request; its one piece of state, which content types stream, is a
 * concurrent map.
 */
public final class FastPassthrough implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

	private static final Log logger = LogFactory.getLog(FastPassthrough.class);

	private static final int MAX_CONTENT_TYPES = 64;

	private final HttpWebHandlerAdapter gateway;

	// WebFlux as Spring Boot's route runs it, for the requests that are not plain
	private final ReactorHttpHandlerAdapter fallback;

	private final PlainRoutes routes;

	private final OriginRequestHeaders headers;

	private final Relay relay;

	// the relay's, found in any case
	private final Set<String> hopByHop;

	// whether a content type is one the gateway flushes per chunk, by the origin's spelling of it
	private final Map<String, Boolean> streamingContentTypes = new ConcurrentHashMap<>();

	private FastPassthrough(HttpWebHandlerAdapter gateway, HttpHandler application, PlainRoutes routes,
			OriginRequestHeaders headers, Relay relay) {
		this.gateway = gateway;
		this.fallback = new ReactorHttpHandlerAdapter(application);
		this.routes = routes;
		this.headers = headers;
		this.relay = relay;
		this.hopByHop = OriginRequestHeaders.ignoringCase(relay.hopByHop());
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
	 * The fast path, ready to be put in front of WebFlux once the application's HTTP handler is built
	 * ({@link #install}).
	 *
	 * <h3>Thread safety</h3> Installed once, at start-up, through a volatile field; read by every request.
	 */
	public static final class Setup {

		private final PlainRoutes routes;

		private final OriginRequestHeaders headers;

		private final Relay relay;

		private final List<String> differences;

		private volatile @Nullable FastPassthrough installed;

		/**
		 * @param differences what in the gateway's setup the fast path does not reproduce ({@link GatewaySetup});
		 * when there is any, the gateway is left alone
		 */
		public Setup(PlainRoutes routes, OriginRequestHeaders headers, Relay relay, List<String> differences) {
			this.routes = routes;
			this.headers = headers;
			this.relay = relay;
			this.differences = List.copyOf(differences);
		}

		/**
		 * Turns the fast path on for the application's HTTP handler, when it can be.
		 * @param gateway the WebFlux handler of the gateway (answers GRIP on exchanges of its making)
		 * @param application the application's whole HTTP handler, which the proxy port serves
		 */
		public void install(HttpHandler gateway, HttpHandler application) {
			if (!this.differences.isEmpty()) {
				logger.info("Passthrough fast path not used: " + String.join("; ", this.differences));
				return;
			}
			if (!(gateway instanceof HttpWebHandlerAdapter adapter)) {
				logger.info("Passthrough fast path not used: the web handler is not WebFlux's own");
				return;
			}
			if (adapter.getForwardedHeaderTransformer() != null) {
				logger.info("Passthrough fast path not used: the framework applies forwarded headers to requests");
				return;
			}
			this.routes.resolve();
			this.installed = new FastPassthrough(adapter, application, this.routes, this.headers, this.relay);
		}

		/**
		 * {@code routes} with the fast path's route first: it takes the requests that may be plain, relays those
		 * that are and hands the others to WebFlux as Spring Boot's route would.
		 */
		public HttpServerRoutes route(HttpServerRoutes routes) {
			return routes.route(this::mayTake, this::relay);
		}

		/** {@code application} with the fast path in front of it, for a server that has no other routes. */
		public BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> inFrontOf(
				BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> application) {
			return (request, response) -> mayTake(request) ? relay(request, response)
					: application.apply(request, response);
		}

		private boolean mayTake(HttpServerRequest request) {
			return this.installed != null && request.method() == HttpMethod.GET
					&& request.version().majorVersion() == 1;
		}

		private Publisher<Void> relay(HttpServerRequest request, HttpServerResponse response) {
			FastPassthrough installed = this.installed;
			if (installed == null) {
				throw new IllegalStateException("The passthrough fast path took a request before it was installed");
			}
			return installed.apply(request, response);
		}

	}

	/** Relays {@code request}, a {@code GET} over HTTP/1.x, if it is plain; else hands it to WebFlux. */
	@Override
	public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
		PlainRoutes.Target target = this.routes.target(request.hostAddress());
		RequestUri uri = (target != null && this.headers.isPlain(request.requestHeaders())) ? RequestUri.of(request)
				: null;
		if (target == null || uri == null || !(request instanceof Connection connection)) {
			return this.fallback.apply(request, response);
		}
		// a GRIP answer detaches its held write, which runs once the relay is over and has let go of the origin's
		// response (see DetachingHttpHandler)
		return DetachingHttpHandler.thenHeldWrite(connection.channel(), () -> relay(request, response, target, uri));
	}

	private Mono<Void> relay(HttpServerRequest request, HttpServerResponse response, PlainRoutes.Target target,
			RequestUri uri) {
		Relay relay = this.relay;
		relay.relayed().increment();
		String url = RequestTargetFilter.target(target.origin(), uri.target());
		String route = target.route().getId();
		Timer.Sample sample = relay.metrics().start();
		Mono<Answer> sent = relay.client().headers(headers -> {
			this.headers.copy(request, uri.host(), uri.port(), headers);
			headers.remove(HttpHeaderNames.HOST);
		})
			.request(HttpMethod.GET)
			.uri(url)
			.send((clientRequest, outbound) -> outbound.send(request.receive().retain()))
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
			.onErrorResume(ex -> !response.hasSentHeaders(),
					ex -> answerOnWebFlux(request, response,
							(webRequest, webResponse) -> failed(ex, webRequest, webResponse)));
	}

	/**
	 * Answers on WebFlux's request and response after all, made for this request as Spring Boot's own route makes
	 * them, with what the gateway's path adds around an answer: {@code Connection: close} while draining, the
	 * response completed at the end.
	 */
	private Mono<Void> answerOnWebFlux(HttpServerRequest request, HttpServerResponse response, HttpHandler answer) {
		HttpHandler exchange = (webRequest, webResponse) -> {
			DrainingConnectionCloseFilter.closeWhileDraining(webResponse, this.relay.registry());
			return answer.handle(webRequest, webResponse).then(Mono.defer(webResponse::setComplete));
		};
		return new ReactorHttpHandlerAdapter(exchange).apply(request, response);
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

	private Mono<Void> answer(HttpServerRequest request, HttpServerResponse response, PlainRoutes.Target target,
			String url, Answer answer) {
		HttpClientResponse originResponse = answer.response();
		Connection connection = answer.connection();
		io.netty.handler.codec.http.HttpHeaders origin = originResponse.responseHeaders();
		List<String> kept = keptNames(origin, this.hopByHop);
		String contentType = first(origin, kept, HttpHeaders.CONTENT_TYPE);
		int status = originResponse.status().code();
		if (GripHeaders.isGripResponse(kept, contentType)) {
			HttpHeaders headers = springHeaders(origin, kept);
			return answerOnWebFlux(request, response, (webRequest, webResponse) -> {
				setStatus(webResponse, status);
				return this.relay.grip()
					.takeOver(exchange(webRequest, webResponse, target, url), originResponse, connection, headers);
			});
		}
		response.status(status);
		io.netty.handler.codec.http.HttpHeaders client = response.responseHeaders();
		for (String name : kept) {
			client.add(name, origin.getAll(name));
		}
		if (this.relay.registry().isDraining()) {
			client.set(HttpHeaders.CONNECTION, "close");
		}
		Flux<ByteBuf> body = connection.inbound().receive().retain();
		boolean streaming = contentType != null && isStreaming(contentType);
		return Mono.from(streaming ? response.sendGroups(body.map(Flux::just)) : response.send(body))
			.doFinally(signal -> {
				// the origin's connection goes back to the pool only after a whole body; else it is closed
				if (signal == SignalType.CANCEL || signal == SignalType.ON_ERROR) {
					connection.dispose();
				}
			});
	}

	/**
	 * As the gateway's {@code RemoveHopByHopHeadersFilter} leaves a response's headers: the names kept, each once
	 * (first spelling) in the order of its first line, as Spring's {@code HttpHeaders} group them, without the
	 * hop-by-hop ones and those its {@code Connection} header names.
	 */
	private static List<String> keptNames(io.netty.handler.codec.http.HttpHeaders origin, Set<String> hopByHop) {
		List<String> connectionOptions = List.of();
		for (String value : origin.getAll(HttpHeaderNames.CONNECTION)) {
			if (connectionOptions.isEmpty()) {
				connectionOptions = new ArrayList<>();
			}
			for (String option : value.split(",")) {
				String trimmed = option.trim();
				if (!trimmed.isEmpty()) {
					connectionOptions.add(trimmed);
				}
			}
		}
		List<String> kept = new ArrayList<>(origin.size());
		for (Map.Entry<String, String> header : origin) {
			String name = header.getKey();
			if (!hopByHop.contains(name) && !OriginRequestHeaders.containsIgnoringCase(connectionOptions, name)
					&& !OriginRequestHeaders.containsIgnoringCase(kept, name)) {
				kept.add(name);
			}
		}
		return kept;
	}

	private static @Nullable String first(io.netty.handler.codec.http.HttpHeaders origin, List<String> kept,
			String name) {
		return OriginRequestHeaders.containsIgnoringCase(kept, name) ? origin.get(name) : null;
	}

	private static HttpHeaders springHeaders(io.netty.handler.codec.http.HttpHeaders origin, List<String> kept) {
		HttpHeaders headers = new HttpHeaders();
		for (String name : kept) {
			headers.addAll(name, origin.getAll(name));
		}
		return headers;
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

	private boolean isStreaming(String contentType) {
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

	private static String logPrefix(ServerHttpRequest request) {
		return "[" + request.getId() + "] ";
	}

}
