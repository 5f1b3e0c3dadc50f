package io.gripway.websocket;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.gripway.http.Content;
import io.gripway.instruct.KeepAliveMode;
import io.gripway.publish.WsMessageType;
import org.jspecify.annotations.Nullable;

/**
 * A GRIP WebSocket control message: the JSON an origin sends after {@code c:} (reference §4.1 table). Parsed by
 * {@link ControlMessages#parse}.
 */
public sealed interface ControlMessage {

	/** Subscribe the connection to {@code channel}, with subscription {@code filters}. */
	record Subscribe(String channel, List<String> filters) implements ControlMessage {

		public Subscribe {
			Objects.requireNonNull(channel, "channel");
			filters = List.copyOf(filters);
		}

	}

	/** Stop delivering {@code channel}'s publishes to the connection. */
	record Unsubscribe(String channel) implements ControlMessage {
	}

	/** The origin is done with the connection; the client stays and only publishes reach it. */
	record Detach() implements ControlMessage {
	}

	/**
	 * Send {@code content} as a {@code type} frame after {@code timeout} of silence ({@code idle}) or every
	 * {@code timeout} ({@code interval}); no content turns keep-alives off.
	 */
	record KeepAlive(@Nullable Content content, WsMessageType type, Duration timeout,
			KeepAliveMode mode) implements ControlMessage {
	}

	/**
	 * Send {@code content} as a {@code type} frame after {@code timeout}, unless another send-delayed or a
	 * flush-delayed sends it sooner.
	 */
	record SendDelayed(Content content, WsMessageType type, Duration timeout) implements ControlMessage {
	}

	/** Send the pending delayed message now. */
	record FlushDelayed() implements ControlMessage {
	}

	/** Sets ({@code value} present) or deletes subscription meta {@code name}, which filters read. */
	record SetMeta(String name, @Nullable String value) implements ControlMessage {
	}

	/** A type this proxy does not act on; ignored, as Pushpin does. */
	record Unsupported(String type) implements ControlMessage {
	}

}
