package io.gripway.instruct;

import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A parsed GRIP instruction: what the client gets now or on timeout, and whether and how to hold it.
 *
 * @param hold the hold, or {@code null} when the origin used Grip-* headers without {@code Grip-Hold}
 * @param response the client's response (initial for a stream, timeout for a long-poll)
 * @param meta subscription meta from {@code Grip-Set-Meta} / JSON {@code hold.meta}, read by filters
 * @param next {@code Grip-Link ...; rel=next}, if the origin gave one
 * @param goneLink {@code Grip-Link ...; rel=gone}: where to POST when the client goes away, if the origin gave one
 */
public record Instruct(@Nullable HoldInstruction hold, ResponseTemplate response, Map<String, String> meta,
		@Nullable NextLink next, @Nullable String goneLink) {

	public Instruct {
		Objects.requireNonNull(response, "response");
		meta = Map.copyOf(meta);
	}

	public Instruct(@Nullable HoldInstruction hold, ResponseTemplate response, Map<String, String> meta) {
		this(hold, response, meta, null, null);
	}

}
