package io.gripway.bus;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings shared by the Redis buses (standalone, Sentinel and Cluster).
 *
 * @param url Redis URI, e.g. {@code redis://127.0.0.1:6379}, {@code redis-sentinel://host:26379#mymaster}, or for a
 * cluster one or more seed nodes separated by commas
 * @param channelPrefix prepended to each GRIP channel to make the Redis channel name
 * @param subscriptionLinger how long a channel stays subscribed after its last local subscriber left
 * @param commandTimeout how long a connection attempt or a command (PUBLISH, SUBSCRIBE) may take before it fails
 * @param deliveryQueueCapacity received messages waiting for the delivery thread; more are dropped
 * @param topologyRefresh how often a cluster bus re-reads the cluster's topology (slot owners) even when nothing
 * suggests it changed; unused by the other buses
 */
record RedisBusSettings(String url, String channelPrefix, Duration subscriptionLinger, Duration commandTimeout,
		int deliveryQueueCapacity, Duration topologyRefresh) {

	RedisBusSettings {
		Objects.requireNonNull(url, "url");
		Objects.requireNonNull(channelPrefix, "channelPrefix");
		requirePositive(subscriptionLinger, "subscriptionLinger");
		requirePositive(commandTimeout, "commandTimeout");
		requirePositive(topologyRefresh, "topologyRefresh");
		if (deliveryQueueCapacity < 1) {
			throw new IllegalArgumentException("deliveryQueueCapacity must be at least 1");
		}
	}

	/**
	 * Defaults: prefix {@code gripway:}, linger 60 s (as Pushpin), command timeout 2 s, 10,000 queued, topology
	 * refresh 10 s.
	 */
	static RedisBusSettings of(String url) {
		return new RedisBusSettings(url, "gripway:", Duration.ofSeconds(60), Duration.ofSeconds(2), 10_000,
				Duration.ofSeconds(10));
	}

	private static void requirePositive(Duration duration, String name) {
		if (duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(name + " must be positive");
		}
	}

}
