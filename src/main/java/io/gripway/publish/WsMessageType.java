package io.gripway.publish;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/** The WebSocket frame a {@code ws-message} becomes. */
public enum WsMessageType {

	TEXT, BINARY, PING, PONG;

	/** The type named in lower case on the wire ({@code text}, {@code binary}, {@code ping}, {@code pong}), or null. */
	public static @Nullable WsMessageType named(String name) {
		for (WsMessageType type : values()) {
			if (type.name().toLowerCase(Locale.ROOT).equals(name)) {
				return type;
			}
		}
		return null;
	}

}
