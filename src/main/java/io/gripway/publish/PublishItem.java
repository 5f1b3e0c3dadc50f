package io.gripway.publish;

import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One published message for one channel, with a payload per transport.
 *
 * @param channel the channel, never empty
 * @param id the message id, used to drop repeats
 * @param prevId the id of the message before this one on the channel
 * @param meta publish meta, read by subscription filters ({@code sender}, {@code skip_users}, {@code require_sub})
 * @param httpResponse payload for held long-polls
 * @param httpStream payload for held streams
 * @param wsMessage payload for WebSocket subscribers
 * @param noSeq true to bypass re-ordering by prev-id
 */
public record PublishItem(String channel, @Nullable String id, @Nullable String prevId, Map<String, String> meta,
		@Nullable HttpResponseFormat httpResponse, @Nullable HttpStreamFormat httpStream,
		@Nullable WsMessageFormat wsMessage, boolean noSeq) {

	public PublishItem {
		Objects.requireNonNull(channel, "channel");
		meta = Map.copyOf(meta);
		if (httpResponse == null && httpStream == null && wsMessage == null) {
			throw new IllegalArgumentException("a publish item needs at least one format");
		}
	}

}
