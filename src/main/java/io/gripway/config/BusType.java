package io.gripway.config;

import java.util.Locale;

/**
 * The bus that carries publishes to every node: {@code gripway.bus.type}. Binding a value not listed here fails at
 * start-up, naming the property and these values.
 */
public enum BusType {

	/** In this process: a single node. */
	MEMORY,

	/** Redis pub/sub: a cluster of nodes sharing one Redis server. */
	REDIS,

	/** Redis Cluster: a cluster of nodes sharing a Redis Cluster. */
	REDIS_CLUSTER;

	/** As written in configuration ({@code redis-cluster}), and in health details and metric tags. */
	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
