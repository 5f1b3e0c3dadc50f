package io.gripway.hold;

import java.time.Duration;

/**
 * The registry's limits, with Pushpin's defaults.
 *
 * @param maxHeldConnections held connections per node; a hold beyond it is refused
 * @param maxSubscriptionsPerConnection channels per connection; the rest are dropped (with a log line)
 * @param idCacheTtl how long a delivered id is remembered per channel to drop repeats; zero disables it
 * @param idCacheSize at most this many ids remembered on this node, all channels together
 */
public record HoldLimits(int maxHeldConnections, int maxSubscriptionsPerConnection, Duration idCacheTtl,
		int idCacheSize) {

	public static final HoldLimits DEFAULTS = new HoldLimits(50_000, 20, Duration.ofSeconds(60), 100_000);

}
