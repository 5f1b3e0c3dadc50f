package io.gripway.gateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gripway.crossorigin.CorsHeaders;
import io.gripway.crossorigin.CorsRequest;
import io.gripway.crossorigin.CrossOriginPolicy;
import io.gripway.crossorigin.InvalidJsonpException;
import io.gripway.crossorigin.Jsonp;
import io.gripway.crossorigin.JsonpMode;
import io.gripway.crossorigin.JsonpRequest;
import io.gripway.crossorigin.JsonpSettings;
import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.gripway.instruct.ResponseTemplate;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Auto cross-origin and JSON-P (reference §5.4) for the routes that have it: {@code gripway.cors.auto}, or route
 * metadata {@code gripway-auto-cross-origin: true|false}, which wins.
 *
 * <p>
 * On such a route every response gets the CORS headers the origin did not set ({@link CorsHeaders}), and a
 * {@code GET} naming a callback becomes the request its JSON-P parameters describe, its response a script
 * ({@link Jsonp}). Preflight {@code OPTIONS} requests go to the origin, as in Pushpin (see
 * {@link PreflightRelayFilter}). This filter decides a
 * {@link CrossOriginPolicy} per request and leaves it in {@link #POLICY_ATTR}: responses the gateway writes get it
 * here (a {@code beforeCommit} action for CORS, a response decorator for JSON-P), held ones get it from
 * {@link GripResponder}, which writes them after the exchange is over. WebSocket handshakes are left alone.
 */
public final class CrossOriginFilter implements GlobalFilter, Ordered {

	private static final Log logger = LogFactory.getLog(CrossOriginFilter.class);

	/**
	 * Outside the response writer (-1), {@link OriginFailureFilter} and {@link GripFilter}, so they write through the
	 * JSON-P decorator this filter puts on the exchange; and before {@link RouteToRequestUrlFilter} makes the origin
	 * URL from the request, which JSON-P rewrites (method, query, body).
	 */
	public static final int CROSS_ORIGIN_FILTER_ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 2;

	/** The {@link CrossOriginPolicy} of the exchange, absent where auto cross-origin is off. */
	public static final String POLICY_ATTR = CrossOriginFilter.class.getName() + ".policy";

	/** Route metadata turning auto cross-origin on or off for the route (Pushpin's {@code aco}). */
	public static final String AUTO_METADATA = "gripway-auto-cross-origin";

	/** Route metadata for JSON-P, as Pushpin's {@code jsonp_mode}, {@code jsonp_cb}, {@code jsonp_body}, ... */
	public static final String JSONP_MODE_METADATA = "gripway-jsonp-mode";

	public static final String JSONP_CALLBACK_METADATA = "gripway-jsonp-callback-param";

	public static final String JSONP_BODY_METADATA = "gripway-jsonp-body-param";

	public static final String JSONP_DEFAULT_CALLBACK_METADATA = "gripway-jsonp-default-callback";

	public static final String JSONP_DEFAULT_METHOD_METADATA = "gripway-jsonp-default-method";

	static final String JSONP_TOO_LARGE = "Upstream response could not be JSON-P encoded.\n";

	private final boolean auto;

	private final JsonpSettings jsonp;

	private final int maxJsonpBody;

	/**
	 * @param auto whether routes without {@link #AUTO_METADATA} have auto cross-origin
	 * @param jsonp the JSON-P settings of routes whose metadata does not override them
	 * @param maxJsonpBody the largest passed-through body wrapped as JSON-P; larger gets {@code 502}
	 */
	public CrossOriginFilter(boolean auto, JsonpSettings jsonp, int maxJsonpBody) {
		this.auto = auto;
		this.jsonp = jsonp;
		this.maxJsonpBody = maxJsonpBody;
	}

	@Override
	public int getOrder() {
		return CROSS_ORIGIN_FILTER_ORDER;
	}

	/** The policy {@link CrossOriginFilter} decided for {@code exchange}; {@link CrossOriginPolicy#none()} if none. */
	public static CrossOriginPolicy policy(ServerWebExchange exchange) {
		CrossOriginPolicy policy = exchange.getAttribute(POLICY_ATTR);
		return (policy != null) ? policy : CrossOriginPolicy.none();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange original, GatewayFilterChain chain) {
		// every route's preflights reach its origin, as in Pushpin, whether or not the route has auto cross-origin
		ServerWebExchange exchange = PreflightRelayFilter.restore(original);
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		Map<String, Object> metadata = (route != null) ? route.getMetadata() : Map.of();
		ServerHttpRequest request = exchange.getRequest();
		if (!enabled(metadata) || "websocket".equalsIgnoreCase(request.getHeaders().getUpgrade())) {
			return chain.filter(exchange);
		}
		HttpHeaders headers = request.getHeaders();
		CorsRequest cors = CorsRequest.of(headers.getOrigin(), headers.getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD),
				headers.getOrEmpty(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS));
		JsonpSettings settings = jsonpSettings(metadata);
		JsonpRequest jsonp;
		try {
			jsonp = Jsonp.parse(request.getMethod().name(), request.getURI().getRawQuery(), settings);
		}
		catch (InvalidJsonpException ex) {
			if (logger.isDebugEnabled()) {
				logger.debug(exchange.getLogPrefix() + "JSON-P request refused: " + ex.getMessage());
			}
			return ClientResponses.error(exchange.getResponse(), 400, ex.getMessage() + "\n");
		}
		if (jsonp == null) {
			CrossOriginPolicy policy = CrossOriginPolicy.cors(cors);
			exchange.getAttributes().put(POLICY_ATTR, policy);
			// the response, not the exchange: a held response's exchange must be free to go
			ServerHttpResponse response = exchange.getResponse();
			response.beforeCommit(() -> {
				addCorsHeaders(response.getHeaders(), cors);
				return Mono.empty();
			});
			return chain.filter(exchange);
		}
		CrossOriginPolicy policy = CrossOriginPolicy.jsonp(cors, jsonp.callback(), settings.mode());
		exchange.getAttributes().put(POLICY_ATTR, policy);
		ServerWebExchange rewritten = exchange.mutate()
			.request(jsonpRequest(request, jsonp))
			.response(new JsonpResponse(exchange.getResponse(), policy, this.maxJsonpBody))
			.build();
		return chain.filter(rewritten);
	}

	private boolean enabled(Map<String, Object> metadata) {
		Object configured = metadata.get(AUTO_METADATA);
		return (configured != null) ? Boolean.parseBoolean(configured.toString().trim()) : this.auto;
	}

	private JsonpSettings jsonpSettings(Map<String, Object> metadata) {
		if (metadata.keySet().stream().noneMatch(key -> key.startsWith("gripway-jsonp-"))) {
			return this.jsonp;
		}
		Object mode = metadata.get(JSONP_MODE_METADATA);
		return new JsonpSettings((mode != null) ? JsonpMode.of(mode.toString()) : this.jsonp.mode(),
				text(metadata, JSONP_CALLBACK_METADATA, this.jsonp.callbackParam()),
				text(metadata, JSONP_BODY_METADATA, this.jsonp.bodyParam()),
				text(metadata, JSONP_DEFAULT_CALLBACK_METADATA, this.jsonp.defaultCallback()),
				// a route naming its mode but no method gets the mode's default, as in Pushpin
				text(metadata, JSONP_DEFAULT_METHOD_METADATA, (mode != null) ? "" : this.jsonp.defaultMethod()));
	}

	private static String text(Map<String, Object> metadata, String key, String fallback) {
		Object value = metadata.get(key);
		return (value != null) ? value.toString().trim() : fallback;
	}

	private static void addCorsHeaders(HttpHeaders headers, CorsRequest cors) {
		List<HeaderField> fields = fields(headers);
		List<HeaderField> withCors = CorsHeaders.apply(cors, fields);
		for (HeaderField added : withCors.subList(fields.size(), withCors.size())) {
			headers.add(added.name(), added.value());
		}
	}

	private static List<HeaderField> fields(HttpHeaders headers) {
		List<HeaderField> fields = new ArrayList<>(headers.size());
		headers.forEach((name, values) -> values.forEach(value -> fields.add(new HeaderField(name, value))));
		return fields;
	}

	/** The request a JSON-P call stands for: its method, query without the JSON-P parameters, headers and body. */
	private static ServerHttpRequest jsonpRequest(ServerHttpRequest request, JsonpRequest jsonp) {
		URI uri = request.getURI();
		StringBuilder target = new StringBuilder(uri.getScheme()).append("://").append(uri.getRawAuthority());
		if (uri.getRawPath() != null) {
			target.append(uri.getRawPath());
		}
		if (jsonp.rawQuery() != null) {
			target.append('?').append(jsonp.rawQuery());
		}
		Content body = jsonp.body();
		ServerHttpRequest mutated = request.mutate()
			.method(HttpMethod.valueOf(jsonp.method()))
			.uri(URI.create(target.toString()))
			.headers(headers -> {
				for (HeaderField header : jsonp.headers()) {
					headers.remove(header.name());
				}
				for (HeaderField header : jsonp.headers()) {
					headers.add(header.name(), header.value());
				}
				headers.set(HttpHeaders.ACCEPT, "*/*");
				if (body != null) {
					headers.remove(HttpHeaders.TRANSFER_ENCODING);
					headers.setContentLength(body.length());
				}
			})
			.build();
		if (body == null) {
			return mutated;
		}
		return new ServerHttpRequestDecorator(mutated) {
			@Override
			public Flux<DataBuffer> getBody() {
				return Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body.asByteBuffer())));
			}
		};
	}

	/**
	 * A response the gateway writes (passed through, or a GRIP response without a hold), kept whole and written as a
	 * JSON-P script.
	 */
	private static final class JsonpResponse extends ServerHttpResponseDecorator {

		private final CrossOriginPolicy policy;

		private final int maxBody;

		JsonpResponse(ServerHttpResponse delegate, CrossOriginPolicy policy, int maxBody) {
			super(delegate);
			this.policy = policy;
			this.maxBody = maxBody;
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			return DataBufferUtils.join(body, this.maxBody)
				.map(JsonpResponse::content)
				.defaultIfEmpty(Content.EMPTY)
				.flatMap(this::writeScript)
				.onErrorResume(DataBufferLimitException.class,
						ex -> ClientResponses.error(getDelegate(), 502, JSONP_TOO_LARGE));
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			return writeWith(Flux.from(body).concatMap(Flux::from));
		}

		@Override
		public Mono<Void> setComplete() {
			return isCommitted() ? getDelegate().setComplete() : writeScript(Content.EMPTY);
		}

		private Mono<Void> writeScript(Content body) {
			HttpStatusCode status = getStatusCode();
			ResponseTemplate script = this.policy.respond(new ResponseTemplate((status != null) ? status.value() : 200,
					null, fields(getHeaders()), body));
			return ClientResponses.full(getDelegate(), script.code(), script.reason(), script.headers(), script.body());
		}

		private static Content content(DataBuffer buffer) {
			try {
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				return Content.adopt(bytes);
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}

	}

}
