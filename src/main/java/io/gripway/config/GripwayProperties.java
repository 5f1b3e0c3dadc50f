package io.gripway.config;

import java.net.URI;
import java.time.Duration;

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
 */
@ConfigurationProperties("gripway")
@Validated
public record GripwayProperties(@Nullable URI origin, @DefaultValue @Valid Publish publish,
		@DefaultValue @Valid Signing signing, @DefaultValue @Valid Hold hold, @DefaultValue @Valid Bus bus,
		@DefaultValue @Valid Demo demo, @DefaultValue @Valid Websocket websocket, @DefaultValue @Valid Health health,
		@DefaultValue @Valid Drain drain, @DefaultValue @Valid Reliability reliability) {

	/**
	 * @param port the publish API's port (Pushpin's {@code push_in_http_port}); 0 picks a free one
	 * @param address the address it binds; loopback by default because the API has no authentication, as in Pushpin
	 * @param maxBodySize a publish body larger than this is refused with 400
	 */
	public record Publish(@DefaultValue("5561") @Min(0) @Max(65535) int port,
			@DefaultValue("127.0.0.1") @NotBlank String address,
			@DefaultValue("1MB") @PositiveAmount DataSize maxBodySize) {
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
	 */
	public record Hold(@DefaultValue("50000") @Min(1) int maxConnections,
			@DefaultValue("20") @Min(1) int maxSubscriptionsPerConnection,
			@DefaultValue("100000B") @PositiveAmount DataSize maxResponseBody,
			@DefaultValue("100") @Min(1) int queueCapacity,
			@DefaultValue("60s") @PositiveAmount(orZero = true) Duration idCacheTtl,
			@DefaultValue("100000") @Min(1) int idCacheSize,
			@DefaultValue("5s") @PositiveAmount(orZero = true) Duration messageWait) {
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
	 * @param type {@code memory} (one node), {@code redis} (a cluster sharing one Redis) or {@code redis-cluster} (a
	 * cluster sharing a Redis Cluster)
	 * @param queueCapacity work waiting for this node's delivery thread: publish batches ({@code memory}: when full,
	 * publishes get 503) or received messages ({@code redis}: when full, they are dropped and their channels recover)
	 * @param redis the Redis bus
	 */
	public record Bus(@DefaultValue("memory") BusType type, @DefaultValue("10000") @Min(1) int queueCapacity,
			@DefaultValue @Valid Redis redis) {
	}

	/**
	 * @param url the Redis server, {@code redis://host:port}
	 * @param channelPrefix prefix of the Redis pub/sub channel that carries each GRIP channel
	 * @param subscriptionLinger how long a Redis subscription outlives the channel's last local subscriber
	 * @param commandTimeout how long a publish waits for Redis before it fails with 503
	 */
	public record Redis(@DefaultValue("redis://127.0.0.1:6379") @NotBlank String url,
			@DefaultValue("gripway:") String channelPrefix,
			@DefaultValue("60s") @PositiveAmount Duration subscriptionLinger,
			@DefaultValue("2s") @PositiveAmount Duration commandTimeout) {
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

}
