package io.gripway.websocket;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import io.gripway.app.App;
import io.gripway.gateway.Apps;
import io.gripway.gateway.ClientResponses;
import io.gripway.gateway.RequestTargetFilter;
import io.gripway.hold.HoldRegistry;
import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Takes client WebSocket upgrades away from the gateway's own WebSocket proxying, so GRIP applies to them:
 * <ul>
 * <li>{@code over-http} routes: Gripway keeps the client's WebSocket and talks to the origin in WebSocket-over-HTTP
 * POSTs (reference §4.2, {@link WsOverHttpSession}). The first POST ({@code OPEN}) goes out while the client waits;
 * an answer other than 200 with {@code application/websocket-events} reaches the client as its handshake failure
 * (status, headers, body). The 101 carries the origin's answer headers, less those about the POST.</li>
 * <li>{@code websocket} routes: Gripway opens a WebSocket to the origin offering the {@code grip} extension
 * (reference §4.1, {@link WsProxySession}); the client's handshake completes once the origin's did, and an origin
 * refusal gives the client the origin's status.</li>
 * </ul>
 * Either way the origin gets what any proxied request gets: the client's headers through the gateway's
 * {@link HttpHeadersFilter}s ({@code X-Forwarded-*} with the trusted proxies, hop-by-hop removal, no client
 * {@code Grip-*}, {@code Grip-Feature}), as Spring Cloud Gateway's {@code WebsocketRoutingFilter} does, then the
 * protocol's own ({@link WsOverHttpHeaders}).
 * <p>
 * A route's mode is its metadata {@value #MODE_METADATA}, else {@code gripway.websocket.mode}. Plain HTTP requests
 * carrying WebSocket events on an {@code over-http} route are refused with 403, as in Pushpin, so clients cannot
 * speak for Gripway.
 * <p>
 * The route's application ({@link Apps}) signs the requests to its origin and names the client's channels: the
 * origin's {@code subscribe} to {@code news} holds the client on its application's {@code news} only.
 *
 * <h3>Thread safety</h3> Shared by all exchanges; its only state is the slow-client counter. Each connection's state
 * lives in its session.
 */
public final class GripWebSocketFilter implements GlobalFilter, Ordered {

	private static final Log logger = LogFactory.getLog(GripWebSocketFilter.class);

	/** The route metadata key naming a route's WebSocket mode. */
	public static final String MODE_METADATA = "gripway-websocket";

	/**
	 * Needs the origin URL that RouteToRequestUrlFilter sets and RequestTargetFilter corrects; must act before the
	 * routing filters would proxy.
	 */
	public static final int ORDER = RequestTargetFilter.REQUEST_TARGET_FILTER_ORDER + 1;

	static final String DIRECT_EVENTS = "Client not allowed to send WebSocket events directly.\n";

	static final String BAD_ORIGIN = "Error while proxying to origin.\n";

	static final String REFUSED = "The origin refused the WebSocket.\n";

	private static final Set<String> NOT_IN_REJECTION = Set.of("content-length", "transfer-encoding", "connection",
			"keep-alive", "upgrade");

	private final WebSocketService webSocketService;

	private final HttpClient client;

	private final Apps apps;

	private final HoldRegistry registry;

	private final Scheduler timer;

	private final WsOverHttpSettings settings;

	private final AtomicLong slowClientCloses = new AtomicLong();

	private final ObjectProvider<List<HttpHeadersFilter>> headersFiltersProvider;

	// resolved on first use, as in WebsocketRoutingFilter: the filter beans need not exist when this one is made
	private volatile @Nullable List<HttpHeadersFilter> headersFilters;

	/**
	 * @param webSocketService does the client's handshake (the gateway's)
	 * @param client sends the POSTs (the gateway's, with its timeouts)
	 * @param apps the applications: each route's Grip-Sig and channel namespace
	 * @param timer runs retries and keep-alives
	 * @param headersFilters the gateway's request header filters, the same the routing filters apply
	 */
	public GripWebSocketFilter(WebSocketService webSocketService, HttpClient client,
			Apps apps, HoldRegistry registry, Scheduler timer, WsOverHttpSettings settings,
			ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
		this.webSocketService = webSocketService;
		this.headersFiltersProvider = headersFilters;
		this.client = client;
		this.apps = apps;
		this.registry = registry;
		this.timer = timer;
		this.settings = settings;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	/** Clients closed because their frame queue filled, since start. */
	public long slowClientCloses() {
		return this.slowClientCloses.get();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
		if (url == null) {
			return chain.filter(exchange);
		}
		ServerHttpRequest request = exchange.getRequest();
		if (mode(exchange) == WebSocketMode.WEBSOCKET) {
			return isUpgrade(request) ? proxy(exchange, url) : chain.filter(exchange);
		}
		if (!isUpgrade(request)) {
			if (WsEvents.CONTENT_TYPE.equals(request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE))) {
				return ClientResponses.error(exchange.getResponse(), 403, DIRECT_EVENTS);
			}
			return chain.filter(exchange);
		}
		// a copy: the session replays these headers for as long as the WebSocket lives, after the exchange has ended
		HttpHeaders clientHeaders = new HttpHeaders();
		clientHeaders.addAll(filteredHeaders(exchange));
		App app = this.apps.of(exchange);
		// a poster per session: it is two references, and signs with this session's application's key
		OriginPoster poster = new OriginPoster(this.client, app.signature(), this.settings.maxOriginBody());
		WsOverHttpSession session = new WsOverHttpSession(httpUri(url), clientHeaders, poster, this.registry,
				this.timer, this.settings, exchange.getLogPrefix());
		// before the OPEN's answer, whose control messages may already subscribe
		session.hold().namespace(app.namespace());
		return session.open()
			.publishOn(clientLoop(exchange))
			.flatMap(reply -> answer(exchange, session, reply))
			.onErrorResume(ex -> {
				logger.warn(exchange.getLogPrefix() + "WebSocket-over-HTTP open to " + url + " failed: " + ex);
				return ClientResponses.error(exchange.getResponse(), 502, BAD_ORIGIN);
			});
	}

	private Mono<Void> answer(ServerWebExchange exchange, WsOverHttpSession session, OriginReply reply) {
		if (!reply.isEvents()) {
			return reject(exchange.getResponse(), reply);
		}
		List<WsEvent> events;
		try {
			events = WsEvents.decode(reply.body());
		}
		catch (InvalidWsEventsException ex) {
			logger.warn(exchange.getLogPrefix() + "Origin sent malformed WebSocket events: " + ex.getMessage());
			return ClientResponses.error(exchange.getResponse(), 502, BAD_ORIGIN);
		}
		// Pushpin also lets an answer without events defer acceptance (Keep-Alive-Interval); Gripway does not
		if (events.isEmpty() || events.get(0).type() != WsEvent.Type.OPEN) {
			logger.warn(exchange.getLogPrefix() + "Origin accepted a WebSocket without an OPEN event first");
			return ClientResponses.error(exchange.getResponse(), 502, BAD_ORIGIN);
		}
		session.accepted(reply, events.subList(1, events.size()));
		exchange.getResponse().getHeaders().putAll(WsOverHttpHeaders.forClient(reply.headers()));
		String protocol = reply.headers().getFirst(WsOverHttpHeaders.SEC_WEBSOCKET_PROTOCOL);
		List<String> protocols = (protocol != null) ? List.of(protocol) : List.of();
		return this.webSocketService.handleRequest(exchange,
				new ClientWebSocketHandler(session, this.registry, protocols, drop(exchange), this.slowClientCloses));
	}

	/** {@code websocket} mode: connects to the origin first, and answers the client's handshake once it accepted. */
	private Mono<Void> proxy(ServerWebExchange exchange, URI url) {
		String offered = exchange.getRequest().getHeaders().getFirst(WsOverHttpHeaders.SEC_WEBSOCKET_PROTOCOL);
		WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder();
		if (offered != null) {
			spec.protocols(offered);
		}
		App app = this.apps.of(exchange);
		HttpHeaders headers = WsOverHttpHeaders.webSocket(filteredHeaders(exchange),
				(app.signature() != null) ? app.signature().get() : null);
		Sinks.One<ClientWebSocketHandler> accepted = Sinks.one();
		Sinks.Empty<Void> done = Sinks.empty();
		Disposable origin = this.client.headers(nettyHeaders -> headers.forEach(nettyHeaders::add))
			.websocket(spec.build())
			.uri(webSocketUri(url))
			.handle((in, out) -> {
				boolean grip = WsOverHttpHeaders
					.namesGrip(in.headers().getAll(WsOverHttpHeaders.SEC_WEBSOCKET_EXTENSIONS));
				WsProxySession session = new WsProxySession(in, out, grip, this.registry, this.timer,
						this.settings.queueCapacity(), done, exchange.getLogPrefix() + "[" + url + "] ");
				session.hold().namespace(app.namespace());
				String selected = in.selectedSubprotocol();
				accepted.tryEmitValue(new ClientWebSocketHandler(session, this.registry,
						(selected != null) ? List.of(selected) : List.of(), drop(exchange), this.slowClientCloses));
				return session.relay();
			})
			.subscribe(null, accepted::tryEmitError);
		return accepted.asMono()
			.doOnCancel(origin::dispose)
			.publishOn(clientLoop(exchange))
			.flatMap(handler -> this.webSocketService.handleRequest(exchange, handler)
				// a client handshake that fails after the origin accepted must not leave the origin connected
				.doOnError(ex -> handler.end()))
			.onErrorResume(WebSocketClientHandshakeException.class, ex -> {
				int status = ex.response().status().code();
				logger.info(exchange.getLogPrefix() + "WebSocket origin " + url + " refused the handshake: " + status);
				return ClientResponses.error(exchange.getResponse(), status, REFUSED);
			})
			.onErrorResume(ex -> {
				logger.warn(exchange.getLogPrefix() + "WebSocket to origin " + url + " failed: " + ex);
				return ClientResponses.error(exchange.getResponse(), 502, BAD_ORIGIN);
			});
	}

	/** The client's request headers through the gateway's request header filters, as a routing filter sends them. */
	private HttpHeaders filteredHeaders(ServerWebExchange exchange) {
		List<HttpHeadersFilter> filters = this.headersFilters;
		if (filters == null) {
			filters = List.copyOf(this.headersFiltersProvider.getIfAvailable(List::of));
			this.headersFilters = filters;
		}
		return HttpHeadersFilter.filterRequest(filters, exchange);
	}

	private WebSocketMode mode(ServerWebExchange exchange) {
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		Object configured = (route != null) ? route.getMetadata().get(MODE_METADATA) : null;
		return (configured != null) ? WebSocketMode.of(configured.toString()) : this.settings.defaultMode();
	}

	private static boolean isUpgrade(ServerHttpRequest request) {
		return request.getMethod() == HttpMethod.GET
				&& "websocket".equalsIgnoreCase(request.getHeaders().getFirst(HttpHeaders.UPGRADE));
	}

	// a route to ws://host is the same origin, spoken to in HTTP
	private static URI httpUri(URI url) {
		return withScheme(url, "https", "http");
	}

	// and a route to http://host, spoken to in WebSocket
	private static URI webSocketUri(URI url) {
		return withScheme(url, "wss", "ws");
	}

	private static URI withScheme(URI url, String secure, String plain) {
		String scheme = url.getScheme().toLowerCase(Locale.ROOT);
		boolean tls = "wss".equals(scheme) || "https".equals(scheme);
		// the rest unchanged, byte for byte: UriComponentsBuilder would regroup the query (see RequestTargetFilter)
		return URI.create((tls ? secure : plain) + url.toString().substring(url.getScheme().length()));
	}

	/**
	 * The client connection's event loop, where its upgrade must run: the handshake swaps the channel's handlers, and
	 * done from another thread (here, the origin client's loop) a frame the client sends right after the 101 can
	 * arrive before the WebSocket decoder and be lost (reactor-netty#1089; seen here as 1 lost first frame in 100).
	 */
	private static Scheduler clientLoop(ServerWebExchange exchange) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		if (nativeRequest instanceof Connection connection) {
			return Schedulers.fromExecutor(connection.channel().eventLoop());
		}
		return Schedulers.immediate();
	}

	private static Runnable drop(ServerWebExchange exchange) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		if (nativeRequest instanceof Connection connection) {
			return () -> connection.channel().close();
		}
		return () -> logger.warn(exchange.getLogPrefix() + "Cannot drop the client: no Netty connection");
	}

	private static Mono<Void> reject(ServerHttpResponse response, OriginReply reply) {
		List<HeaderField> headers = new ArrayList<>();
		reply.headers().forEach((name, values) -> {
			if (!NOT_IN_REJECTION.contains(name.toLowerCase(Locale.ROOT))) {
				values.forEach(value -> headers.add(new HeaderField(name, value)));
			}
		});
		return ClientResponses.full(response, reply.status(), null, headers, Content.adopt(reply.body()));
	}

}
