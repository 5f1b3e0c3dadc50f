package io.gripway.instruct;

import java.time.Duration;
import java.util.Objects;

import io.gripway.http.Content;

/**
 * Bytes written to a held stream when it has been quiet, from {@code Grip-Keep-Alive} or the JSON {@code keep-alive}.
 *
 * @param data the bytes to write, never empty
 * @param timeout how long a silence lasts (idle) or the period (interval)
 * @param mode idle or interval
 */
public record KeepAlive(Content data, Duration timeout, KeepAliveMode mode) {

	public KeepAlive {
		Objects.requireNonNull(data, "data");
		Objects.requireNonNull(timeout, "timeout");
		Objects.requireNonNull(mode, "mode");
	}

}
