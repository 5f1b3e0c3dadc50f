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
	 * The Redis pub/sub bus of a cluster. It starts even while Redis is unreachable (and connects when it comes up),
	 * so a Redis outage never stops a node from proxying.
	 * @param url {@code redis://host:port}
	 * @param channelPrefix prefix of the Redis channel carrying each GRIP channel
	 * @param subscriptionLinger how long a Redis subscription outlives the channel's last local subscriber
	 * @param commandTimeout how long a publish waits for Redis before it fails
	 * @param deliveryQueueCapacity received messages waiting for this node's delivery thread
	 */
	public static MessageBus redis(String url, String channelPrefix, Duration subscriptionLinger,
			Duration commandTimeout, int deliveryQueueCapacity) {
		return new RedisMessageBus(new RedisMessageBus.Settings(url, channelPrefix, subscriptionLinger,
				commandTimeout, deliveryQueueCapacity));
	}

}
