package io.gripway.publish;

import java.util.List;
import java.util.Objects;

import io.gripway.http.Content;
import org.jspecify.annotations.Nullable;

/**
 * {@code ws-message}: one WebSocket frame to subscribed WebSocket clients.
 *
 * @param action send, close or refresh
 * @param type the frame type: text for {@code content}, binary for {@code content-bin} unless {@code type} says
 * @param content the frame payload (empty for close/refresh, optional for ping/pong)
 * @param closeCode close action: the close code, if given
 * @param closeReason close action: the close reason, if given
 * @param contentFilters {@code content-filters}, or {@code null} when not given
 */
public record WsMessageFormat(Action action, WsMessageType type, Content content, @Nullable Integer closeCode,
		@Nullable String closeReason, @Nullable List<String> contentFilters) implements Format {

	public WsMessageFormat {
		Objects.requireNonNull(action, "action");
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(content, "content");
		contentFilters = (contentFilters != null) ? List.copyOf(contentFilters) : null;
	}

}
