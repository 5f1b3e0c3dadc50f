package io.gripway.websocket;

import java.util.Locale;

/**
 * How a route handles client WebSockets: its metadata {@code gripway-websocket}, else {@code gripway.websocket.mode}.
 */
public enum WebSocketMode {

	/** Gripway keeps the WebSocket and talks WebSocket-over-HTTP to the origin (reference §4.2). */
	OVER_HTTP("over-http"),

	/**
	 * Gripway proxies the WebSocket to a WebSocket origin, offering the GRIP extension (reference §4.1); without it,
	 * messages pass unchanged.
	 */
	WEBSOCKET("websocket");

	private final String value;

	WebSocketMode(String value) {
		this.value = value;
	}

	/** @throws IllegalArgumentException naming the accepted values */
	public static WebSocketMode of(String value) {
		String normalized = value.trim().toLowerCase(Locale.ROOT);
		for (WebSocketMode mode : values()) {
			if (mode.value.equals(normalized)) {
				return mode;
			}
		}
		throw new IllegalArgumentException("WebSocket mode must be over-http or websocket, not '" + value + "'");
	}

	@Override
	public String toString() {
		return this.value;
	}

}
