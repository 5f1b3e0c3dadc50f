package io.gripway.history;

import java.time.Duration;
import java.util.Objects;

/**
 * What history keeps.
 *
 * @param channels the channels it is kept for
 * @param size items kept per channel
 * @param ttl how long an item is kept
 * @param maxChannels channels kept at most, where the store bounds it (in memory); Redis bounds each by its expiry
 */
public record HistorySettings(ChannelPatterns channels, int size, Duration ttl, int maxChannels) {

	public HistorySettings {
		Objects.requireNonNull(channels, "channels");
		Objects.requireNonNull(ttl, "ttl");
		if (size < 1 || maxChannels < 1 || ttl.isNegative() || ttl.isZero()) {
			throw new IllegalArgumentException("history size, ttl and max-channels must be positive");
		}
	}

}
