package io.gripway.bus;

import java.time.Duration;

/** Makes the buses, whose classes stay package-private: configuration picks one, nothing else names them. */
public final class MessageBuses {

	private MessageBuses() {
	}

	/** The in-memory bus of a single node. */
	public static MessageBus local(int queueCapacity) {
		return new LocalMessageBus(queueCapacity);
	}

	/**
	 * The Redis pub/sub bus of a cluster of Gripway nodes, on one Redis or a Sentinel-watched master. It starts even while Redis is unreachable (and connects when it comes up),
	 * so a Redis outage never stops a node from proxying.
	 * @param url {@code redis://host:port}, or {@code redis-sentinel://host:port[,host:port...]#master} for a master
	 * watched by Sentinel
	 * @param channelPrefix prefix of the Redis channel carrying each GRIP channel
	 * @param subscriptionLinger how long a Redis subscription outlives the channel's last local subscriber
	 * @param commandTimeout how long a publish waits for Redis before it fails
	 * @param deliveryQueueCapacity received messages waiting for this node's delivery thread
	 */
	public static MessageBus redis(String url, String channelPrefix, Duration subscriptionLinger,
			Duration commandTimeout, int deliveryQueueCapacity) {
		return new RedisMessageBus(new RedisBusSettings(url, channelPrefix, subscriptionLinger,
				commandTimeout, deliveryQueueCapacity, RedisBusSettings.of(url).topologyRefresh()));
	}

	/**
	 * The Redis Cluster bus: sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}), so each message goes only through
	 * the shard that owns its channel. Starts while the cluster is unreachable, as {@link #redis} does.
	 * @param seeds one or more cluster nodes, comma-separated ({@code redis://host:port,redis://host:port}); the
	 * client discovers the rest
	 * @param topologyRefresh how often the slot owners are re-read even when nothing suggests a change
	 * @see #redis
	 */
	public static MessageBus redisCluster(String seeds, String channelPrefix, Duration subscriptionLinger,
			Duration commandTimeout, int deliveryQueueCapacity, Duration topologyRefresh) {
		return new RedisClusterMessageBus(new RedisBusSettings(seeds, channelPrefix, subscriptionLinger,
				commandTimeout, deliveryQueueCapacity, topologyRefresh));
	}

}
