package io.gripway.instruct;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One channel a held request listens on, as named by {@code Grip-Channel: name; prev-id=..; filter=..}.
 *
 * @param name the channel name, never empty
 * @param prevId the id the origin last saw on this channel, if it said
 * @param filters subscription filters by name ({@code skip-self}, {@code skip-users}, {@code require-sub}, ...)
 */
public record ChannelSubscription(String name, @Nullable String prevId, List<String> filters) {

	public ChannelSubscription {
		Objects.requireNonNull(name, "name");
		filters = List.copyOf(filters);
	}

}
