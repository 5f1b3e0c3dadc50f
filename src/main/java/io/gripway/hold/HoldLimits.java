package io.gripway.hold;

import java.time.Duration;

/**
 * The registry's limits, with Pushpin's defaults.
 *
 * @param maxHeldConnections held connections per node; a hold beyond it is refused
 * @param maxSubscriptionsPerConnection channels per connection; the rest are dropped (with a log line)
 * @param idCacheTtl how long a delivered id is remembered per channel to drop repeats; zero disables it
 * @param idCacheSize at most this many ids remembered on this node, all channels together
 * @param messageWait how long an item whose {@code prev-id} is ahead of its channel waits for the items before it
 * before it goes out anyway (Pushpin's {@code message_wait})
 */
public record HoldLimits(int maxHeldConnections, int maxSubscriptionsPerConnection, Duration idCacheTtl,
		int idCacheSize, Duration messageWait) {

	/** Pushpin's sequencer defaults: at most this many items wait per channel, for at most this many channels. */
	public static final int MAX_WAITING_PER_CHANNEL = 100;

	/** Channels whose last id the sequencer remembers (Pushpin keeps 1,000,000; each is about 100 bytes). */
	public static final int MAX_SEQUENCED_CHANNELS = 100_000;

	public static final HoldLimits DEFAULTS = new HoldLimits(50_000, 20, Duration.ofSeconds(60), 100_000,
			Duration.ofSeconds(5));

	public HoldLimits(int maxHeldConnections, int maxSubscriptionsPerConnection, Duration idCacheTtl,
			int idCacheSize) {
		this(maxHeldConnections, maxSubscriptionsPerConnection, idCacheTtl, idCacheSize, DEFAULTS.messageWait());
	}

}
