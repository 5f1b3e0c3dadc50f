package io.gripway.publish;

/** The WebSocket frame a {@code ws-message} becomes. */
public enum WsMessageType {

	TEXT, BINARY, PING, PONG

}
