package io.gripway.instruct;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What to hold the request for: its mode, its channels, and its timers.
 *
 * @param mode response (long-poll) or stream
 * @param channels at least one channel
 * @param timeout response mode: how long to wait for a publish before sending the timeout response
 * @param keepAlive stream mode: keep-alive bytes, if any
 */
public record HoldInstruction(HoldMode mode, List<ChannelSubscription> channels, Duration timeout,
		@Nullable KeepAlive keepAlive) {

	public HoldInstruction {
		Objects.requireNonNull(mode, "mode");
		channels = List.copyOf(channels);
		Objects.requireNonNull(timeout, "timeout");
	}

}
