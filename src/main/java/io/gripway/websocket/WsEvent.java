package io.gripway.websocket;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import io.gripway.http.Content;
import org.jspecify.annotations.Nullable;

/**
 * One WebSocket-over-HTTP event (reference §4.2): what happened on the client's WebSocket, or what the origin wants
 * done to it.
 *
 * @param type the event
 * @param content its payload; empty for {@code OPEN} and {@code DISCONNECT}, and for a {@code CLOSE} without code
 */
public record WsEvent(Type type, Content content) {

	/** The event types, by their names on the wire. */
	public enum Type {

		OPEN, TEXT, BINARY, PING, PONG, CLOSE, DISCONNECT;

		static @Nullable Type named(String name) {
			for (Type type : values()) {
				if (type.name().equals(name)) {
					return type;
				}
			}
			return null;
		}

	}

	public static final WsEvent OPEN = new WsEvent(Type.OPEN, Content.EMPTY);

	public static final WsEvent DISCONNECT = new WsEvent(Type.DISCONNECT, Content.EMPTY);

	public WsEvent {
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(content, "content");
	}

	public static WsEvent text(String text) {
		return new WsEvent(Type.TEXT, Content.utf8(text));
	}

	/**
	 * A {@code CLOSE} event: the 2-byte big-endian code, then the UTF-8 reason; no content at all when there is no
	 * code (a close frame without status).
	 */
	public static WsEvent close(@Nullable Integer code, @Nullable String reason) {
		if (code == null) {
			return new WsEvent(Type.CLOSE, Content.EMPTY);
		}
		byte[] reasonBytes = (reason != null) ? reason.getBytes(StandardCharsets.UTF_8) : new byte[0];
		byte[] bytes = new byte[2 + reasonBytes.length];
		bytes[0] = (byte) (code >> 8);
		bytes[1] = (byte) code.intValue();
		System.arraycopy(reasonBytes, 0, bytes, 2, reasonBytes.length);
		return new WsEvent(Type.CLOSE, Content.adopt(bytes));
	}

	/** A {@code CLOSE} event's code, or {@code null} when it carries fewer than 2 bytes. */
	public @Nullable Integer closeCode() {
		if (this.content.length() < 2) {
			return null;
		}
		byte[] bytes = this.content.toByteArray();
		return ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
	}

	/** A {@code CLOSE} event's reason: the UTF-8 text after the code, empty when there is none. */
	public String closeReason() {
		if (this.content.length() <= 2) {
			return "";
		}
		byte[] bytes = this.content.toByteArray();
		return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_8);
	}

}
