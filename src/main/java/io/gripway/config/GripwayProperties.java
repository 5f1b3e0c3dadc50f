package io.gripway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.gripway.websocket.WebSocketMode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code gripway.*} setting, with its default. The defaults are written here only: {@code application.yml} and
 * the README's settings table repeat them, and {@code ConfigurationDocsTests} checks both against the configuration
 * metadata generated from this class.
 *
 * <p>
 * Validated at start-up: a value outside its constraint, or a {@code type}/{@code mode} not among its enum's values,
 * stops the application with a message naming the property and what it accepts. The nested groups are validated
 * through {@code @Valid} on the root, as Boot validates only the {@code @Validated} type itself.
 *
 * @param origin the origin of the default route (every path); unset means only the gateway routes configured under
 * {@code spring.cloud.gateway.server.webflux.routes} apply
 * @param publish the publish API
 * @param signing Grip-Sig on requests to origins
 * @param hold limits on held connections
 * @param bus the bus that carries publishes to every node
 * @param demo the built-in demo origin
 * @param websocket client WebSockets: WebSocket-over-HTTP to origins
 * @param health how the bus affects readiness
 * @param drain the graceful drain at shutdown
 * @param reliability how held connections recover what they missed from their origins
 * @param history channel history at the edge
 * @param cors auto cross-origin and JSON-P for browsers on other origins
 * @param http limits on both HTTP ports (proxy and publish)
 * @param passthrough how plain requests are relayed to origins
 * @param apps applications sharing this tier, each with its routes, channel namespace, publishers and Grip-Sig key;
 * none means one application, configured by the settings above
 */
@ConfigurationProperties("gripway")
@Validated
public record GripwayProperties(@Nullable URI origin, @DefaultValue @Valid Publish publish,
		@DefaultValue @Valid Signing signing, @DefaultValue @Valid Hold hold, @DefaultValue @Valid Bus bus,
		@DefaultValue @Valid Demo demo, @DefaultValue @Valid Websocket websocket, @DefaultValue @Valid Health health,
		@DefaultValue @Valid Drain drain, @DefaultValue @Valid Reliability reliability,
		@DefaultValue @Valid History history, @DefaultValue @Valid Cors cors, @DefaultValue @Valid Http http,
		@DefaultValue @Valid WarmUp warmUp, @DefaultValue @Valid Passthrough passthrough,
		@DefaultValue List<@Valid App> apps) {

	/**
	 * @param port the publish API's port (Pushpin's {@code push_in_http_port}); 0 picks a free one
	 * @param address the address it binds; loopback by default. A non-loopback address needs publishers, or
	 * {@code allow-anonymous}
	 * @param maxBodySize a publish body larger than this is refused with 400
	 * @param allowAnonymous let anyone who can reach a non-loopback publish address publish without credentials (only
	 * when something else, such as a NetworkPolicy, restricts who can reach it)
	 * @param idleTimeout a publish connection waiting this long for its next request is closed
	 * @param auth who may publish
	 */
	public record Publish(@DefaultValue("5561") @Min(0) @Max(65535) int port,
			@DefaultValue("127.0.0.1") @NotBlank String address,
			@DefaultValue("1MB") @PositiveAmount DataSize maxBodySize, @DefaultValue("false") boolean allowAnonymous,
			@DefaultValue("75s") @PositiveAmount Duration idleTimeout, @DefaultValue Auth auth) {
	}

	/**
	 * @param publishers who may publish; none means anyone who can reach the port, as in Pushpin
	 */
	public record Auth(@DefaultValue List<Publisher> publishers) {
	}

	/**
	 * One publisher, with exactly one credential: {@code iss} with {@code key} or {@code public-key} (a JWT, as GRIP
	 * libraries send for a {@code GRIP_URL} with {@code iss}), {@code token} (a literal {@code Bearer} token), or
	 * {@code username} with {@code password} (Basic).
	 *
	 * @param name names the publisher in replies and logs; never a secret
	 * @param iss the JWT's {@code iss} claim
	 * @param key the HS256 key, plain or {@code base64:...} (at least 32 bytes)
	 * @param publicKey a PEM public key (RSA: RS256; EC: ES256/384/512)
	 * @param token a literal bearer token
	 * @param username the Basic user name
	 * @param password the Basic password
	 * @param channels the channels it may publish to: names, or prefixes ending in {@code *}; none means all
	 */
	public record Publisher(@DefaultValue("") String name, @Nullable String iss, @Nullable String key,
			@Nullable String publicKey, @Nullable String token, @Nullable String username,
			@Nullable String password, @DefaultValue List<String> channels) {

		@Override
		public String toString() {
			// the record's own toString would print the secrets
			return "Publisher[name=" + this.name + "]";
		}

	}

	/**
	 * @param requestHeaderTimeout the longest a request may take from its first byte to the end of its headers, on the
	 * proxy and publish ports; a slower one (slow-loris) has its connection closed. 0 disables it
	 */
	public record Http(@DefaultValue("10s") @PositiveAmount(orZero = true) Duration requestHeaderTimeout) {
	}

	/**
	 * @param fastPath relay plain requests ({@code GET} without a body or an upgrade) on the {@code gripway.origin}
	 * route straight to the origin, without the gateway's per-request machinery; the answer on the wire is the same.
	 * It applies only while that route is the only one and the gateway has no filters or handlers Gripway does not
	 * know (see the log at start); false sends every request through the gateway
	 */
	public record Passthrough(@DefaultValue("true") boolean fastPath) {
	}

	/**
	 * @param requests how many requests (long-polls, streams and plain requests, with publishes to them) go through
	 * the proxy's own path before the proxy port opens, so a fresh JVM has compiled that path before its first
	 * clients arrive; 0 disables it
	 * @param timeout the longest the warm-up may delay the start; what is not done by then is abandoned
	 */
	public record WarmUp(@DefaultValue("2000") @Min(0) int requests,
			@DefaultValue("20s") @PositiveAmount Duration timeout) {
	}

	/**
	 * @param key the Grip-Sig secret (plain, or {@code base64:...}); empty means requests are not signed
	 * @param issuer the {@code iss} claim
	 */
	public record Signing(@DefaultValue("") String key, @DefaultValue("pushpin") String issuer) {
	}

	/**
	 * @param maxConnections held connections per node; a hold beyond it gets 503
	 * @param maxSubscriptionsPerConnection channels per held connection; extra ones are dropped
	 * @param maxResponseBody the largest origin body a long-poll keeps as its timeout response; larger gives 502
	 * @param queueCapacity messages waiting for one held stream's socket before its client is disconnected as too slow
	 * @param idCacheTtl how long a delivered message id is remembered per channel to drop repeats; 0 disables it
	 * @param idCacheSize at most this many ids remembered on this node, all channels together
	 * @param messageWait how long an item whose {@code prev-id} is ahead of its channel waits for the items before it
	 * before it goes out anyway (Pushpin's {@code message_wait})
	 * @param maxRequestBody request bodies up to this size are kept while they go to the origin, so a long-poll made
	 * with one can be retried with it (Pushpin: 100,000 bytes)
	 */
	public record Hold(@DefaultValue("50000") @Min(1) int maxConnections,
			@DefaultValue("20") @Min(1) int maxSubscriptionsPerConnection,
			@DefaultValue("100000B") @PositiveAmount DataSize maxResponseBody,
			@DefaultValue("100") @Min(1) int queueCapacity,
			@DefaultValue("60s") @PositiveAmount(orZero = true) Duration idCacheTtl,
			@DefaultValue("100000") @Min(1) int idCacheSize,
			@DefaultValue("5s") @PositiveAmount(orZero = true) Duration messageWait,
			@DefaultValue("100000B") @PositiveAmount(orZero = true) DataSize maxRequestBody) {
	}

	/**
	 * @param channels the channels whose recent items are kept, as patterns ({@code feed-*}); empty: no history
	 * @param size items kept per channel
	 * @param ttl how long an item is kept
	 * @param maxChannels channels kept at most (the one written longest ago goes first)
	 */
	public record History(@DefaultValue List<String> channels, @DefaultValue("100") @Min(1) int size,
			@DefaultValue("10m") @PositiveAmount Duration ttl, @DefaultValue("100000") @Min(1) int maxChannels) {
	}

	/**
	 * @param maxRetries retries of a failed next-link request before its stream is ended
	 * @param retryBase the wait before the first retry of a next link; it doubles with each, with jitter
	 * @param recoveriesPerSecond batches of recoveries (next-link fetches, retried long-polls) let through per second;
	 * a {@code hint} does not wait
	 * @param recoveryBatch connections on the same link or URI let through together
	 * @param maxPageSize the largest next-link page or retried answer read from an origin; larger ends the stream
	 */
	public record Reliability(@DefaultValue("5") @Min(0) int maxRetries,
			@DefaultValue("1s") @PositiveAmount Duration retryBase,
			@DefaultValue("10") @Min(1) int recoveriesPerSecond, @DefaultValue("100") @Min(1) int recoveryBatch,
			@DefaultValue("1MB") @PositiveAmount DataSize maxPageSize) {
	}

	/**
	 * @param type {@code memory} (one node), {@code redis} (a cluster of nodes on one Redis, or a master watched by
	 * Sentinel with a {@code redis-sentinel://} URL) or {@code redis-cluster} (Redis Cluster, sharded pub/sub)
	 * @param queueCapacity work waiting for this node's delivery thread: publish batches ({@code memory}: when full,
	 * publishes get 503) or received messages ({@code redis}: when full, they are dropped and their channels recover)
	 * @param redis the Redis bus
	 */
	public record Bus(@DefaultValue("memory") BusType type, @DefaultValue("10000") @Min(1) int queueCapacity,
			@DefaultValue @Valid Redis redis) {
	}

	/**
	 * @param url the Redis server, {@code redis://host:port}; {@code redis-sentinel://host:port[,host:port...]#master}
	 * for Sentinel; for {@code redis-cluster} one or more seed nodes, comma-separated. When unset, Spring Boot's
	 * {@code spring.data.redis.*} settings are used if there are any, else {@code redis://127.0.0.1:6379}
	 * @param channelPrefix prefix of the Redis pub/sub channel that carries each GRIP channel
	 * @param subscriptionLinger how long a Redis subscription outlives the channel's last local subscriber
	 * @param commandTimeout how long a publish waits for Redis before it fails with 503
	 * @param topologyRefresh {@code redis-cluster}: how often the slot owners are re-read even when nothing suggests a
	 * change (failovers are noticed sooner, on reconnect attempts and redirects)
	 */
	public record Redis(@Nullable String url, @DefaultValue("gripway:") String channelPrefix,
			@DefaultValue("60s") @PositiveAmount Duration subscriptionLinger,
			@DefaultValue("2s") @PositiveAmount Duration commandTimeout,
			@DefaultValue("10s") @PositiveAmount Duration topologyRefresh) {
	}

	/**
	 * @param enabled start the built-in demo origin (the {@code demo} profile does, and points {@code origin} at it)
	 * @param port its port
	 */
	public record Demo(@DefaultValue("false") boolean enabled, @DefaultValue("9000") @Min(0) @Max(65535) int port) {
	}

	/**
	 * @param mode {@code over-http} (WebSocket-over-HTTP to the origin) or {@code websocket} (proxied to a WebSocket
	 * origin, with the GRIP extension offered) for
	 * every route whose metadata does not name one under {@code gripway-websocket}
	 * @param retryBase the wait before retrying a failed POST to the origin; it doubles with each retry
	 * @param maxRetries retries of a failed POST before the client is closed with 1011
	 * @param queueCapacity frames queued per client WebSocket before it is closed (1008) as too slow
	 * @param maxPendingBytes client messages waiting while a POST to the origin is outstanding; beyond this Gripway
	 * stops reading from the client until the origin has answered
	 * @param maxResponseBody the largest WebSocket-over-HTTP answer read from an origin; a larger one closes the client
	 * with 1011
	 */
	public record Websocket(@DefaultValue("over-http") WebSocketMode mode,
			@DefaultValue("1s") @PositiveAmount Duration retryBase, @DefaultValue("5") @Min(0) int maxRetries,
			@DefaultValue("100") @Min(1) int queueCapacity,
			@DefaultValue("200000B") @PositiveAmount DataSize maxPendingBytes,
			@DefaultValue("100000B") @PositiveAmount DataSize maxResponseBody) {
	}

	/**
	 * @param busAffectsReadiness a bus that cannot relay publishes makes the node not ready (the bus health is DOWN)
	 */
	public record Health(@DefaultValue("true") boolean busAffectsReadiness) {
	}

	/**
	 * @param window the held connections are ended evenly over this long after SIGTERM; the pod's grace period must
	 * exceed it (see docs/operations.md)
	 * @param flushTimeout after the last connection was told to end, how long to wait for the endings to be written
	 */
	public record Drain(@DefaultValue("10s") @PositiveAmount(orZero = true) Duration window,
			@DefaultValue("5s") @PositiveAmount(orZero = true) Duration flushTimeout) {
	}

	/**
	 * Pushpin's auto cross-origin ({@code aco}) and JSON-P; route metadata {@code gripway-auto-cross-origin} and
	 * {@code gripway-jsonp-*} override these per route.
	 * @param auto add CORS headers (each only where the origin set none) and answer JSON-P on every route
	 * @param jsonp JSON-P, on routes with auto cross-origin
	 */
	public record Cors(@DefaultValue("false") boolean auto, @DefaultValue Jsonp jsonp) {

		/**
		 * @param mode {@code extended} (the callback gets code, reason, headers and body) or {@code basic} (the body)
		 * @param callbackParam the query parameter naming the callback
		 * @param bodyParam a query parameter whose value becomes a JSON request body; empty: {@code _body} is used
		 * @param defaultCallback the callback when a request has {@code body-param} but no callback; empty: none
		 * @param defaultMethod the method when a request names none with {@code _method}; empty: GET for extended,
		 * POST for basic
		 */
		public record Jsonp(@DefaultValue("extended") String mode, @DefaultValue("callback") String callbackParam,
				@DefaultValue("") String bodyParam, @DefaultValue("") String defaultCallback,
				@DefaultValue("") String defaultMethod) {
		}

	}

	/**
	 * One application sharing the tier. Its channels live in a namespace of their own: its {@code news} is
	 * {@code <name>:news} on the bus, which its origin and publishers never see.
	 * @param name names the application, its routes and its channel prefix: letters, digits, {@code _ . -}
	 * @param routes the requests that go to its origin
	 * @param publishers who may publish to its channels, configured as {@code gripway.publish.auth.publishers};
	 * their {@code channels} name its channels without the prefix
	 * @param signing the Grip-Sig its origin receives; no key means its origin's requests are not signed
	 */
	public record App(@DefaultValue("") String name, @DefaultValue List<AppRoute> routes,
			@DefaultValue List<Publisher> publishers, @DefaultValue Signing signing) {
	}

	/**
	 * A route to an application's origin: a request matching every predicate given goes there.
	 * @param uri the origin
	 * @param hosts host patterns, as Spring Cloud Gateway's {@code Host} predicate ({@code **.a.example})
	 * @param paths path patterns, as its {@code Path} predicate ({@code /a/**})
	 */
	public record AppRoute(@Nullable URI uri, @DefaultValue List<String> hosts, @DefaultValue List<String> paths) {
	}

}
