package io.gripway.websocket;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.gripway.instruct.GripHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * The headers of WebSocket-over-HTTP (reference §4.2): those of each POST to the origin, and those of the client's
 * {@code 101} taken from the origin's first answer. Pure: values in, headers out. What goes to the origin starts
 * from the client's headers after the gateway's request header filters, as for any proxied request.
 */
final class WsOverHttpHeaders {

	static final String SEC_WEBSOCKET_EXTENSIONS = "Sec-WebSocket-Extensions";

	static final String SEC_WEBSOCKET_PROTOCOL = "Sec-WebSocket-Protocol";

	static final String CONNECTION_ID = "Connection-Id";

	static final String KEEP_ALIVE_INTERVAL = "Keep-Alive-Interval";

	static final String META_PREFIX = "Meta-";

	static final String SET_META_PREFIX = "Set-Meta-";

	static final String GRIP_EXTENSION = "grip";

	/** Client handshake headers never replayed: the handshake's own, hop-by-hop ones, and those Gripway sets. */
	private static final Set<String> NOT_REPLAYED = Set.of("host", "upgrade", "connection", "keep-alive",
			"transfer-encoding", "te", "trailer", "proxy-connection", "sec-websocket-key", "sec-websocket-version",
			"sec-websocket-extensions", "accept", "content-type", "content-length", "connection-id");

	/** Origin answer headers not copied to the client's 101: about the POST, not the WebSocket. */
	private static final Set<String> NOT_FOR_CLIENT = Set.of("content-length", "content-type", "transfer-encoding",
			"connection", "keep-alive", "keep-alive-interval", "upgrade", "sec-websocket-extensions",
			"sec-websocket-protocol", "sec-websocket-accept");

	private WsOverHttpHeaders() {
	}

	/**
	 * The headers of one POST: the client's handshake headers as the gateway's request header filters left them
	 * ({@code X-Forwarded-*}, no client {@code Grip-*}, {@code Grip-Feature}), minus those above and any client
	 * {@code Meta-*} (so a client cannot forge what the origin bound); then the protocol's own, with a fresh
	 * {@code Grip-Sig} in place of the one the filters signed at the handshake.
	 * @param filtered the handshake's headers after the gateway's {@code HttpHeadersFilter}s
	 * @param signature a fresh {@code Grip-Sig} token, or {@code null} for none
	 * @param meta the values bound by the origin's {@code Set-Meta-*}, sent as {@code Meta-*}
	 */
	static HttpHeaders request(HttpHeaders filtered, String connectionId, Map<String, String> meta,
			@Nullable String signature) {
		// the origin chooses the subprotocol in its answer to OPEN, so it sees the client's offer
		HttpHeaders headers = replayed(filtered, true, signature);
		headers.set(HttpHeaders.ACCEPT, WsEvents.CONTENT_TYPE);
		headers.set(HttpHeaders.CONTENT_TYPE, WsEvents.CONTENT_TYPE);
		headers.set(CONNECTION_ID, connectionId);
		meta.forEach((name, value) -> headers.set(META_PREFIX + name, value));
		return headers;
	}

	/**
	 * The headers of a WebSocket handshake to a WebSocket origin, as Pushpin sends them: the client's as the
	 * gateway's request header filters left them, less the same as for a POST (the handshake's own are made again
	 * for the origin) and its {@code Sec-WebSocket-Protocol} (offered again by the handshake), with
	 * {@code Sec-WebSocket-Extensions: grip} and a fresh {@code Grip-Sig}.
	 */
	static HttpHeaders webSocket(HttpHeaders filtered, @Nullable String signature) {
		return replayed(filtered, false, signature);
	}

	// the client's Grip-* headers are the gateway filters' to remove (GripRequestHeadersFilter, for every request);
	// Grip-Sig alone is made again here, as a POST may go out long after the handshake's signature was made
	private static HttpHeaders replayed(HttpHeaders filtered, boolean withProtocol, @Nullable String signature) {
		HttpHeaders headers = new HttpHeaders();
		filtered.forEach((name, values) -> {
			String lower = name.toLowerCase(Locale.ROOT);
			boolean protocol = lower.equals("sec-websocket-protocol");
			if (!NOT_REPLAYED.contains(lower) && (withProtocol || !protocol) && !lower.startsWith("meta-")) {
				headers.addAll(name, values);
			}
		});
		headers.set(SEC_WEBSOCKET_EXTENSIONS, GRIP_EXTENSION);
		headers.remove(GripHeaders.GRIP_SIG);
		if (signature != null) {
			headers.set(GripHeaders.GRIP_SIG, signature);
		}
		return headers;
	}

	/** Whether {@code Sec-WebSocket-Extensions} values name the {@code grip} extension (parameters allowed). */
	static boolean namesGrip(@Nullable List<String> extensions) {
		if (extensions == null) {
			return false;
		}
		for (String value : extensions) {
			for (String extension : value.split(",")) {
				if (GRIP_EXTENSION.equalsIgnoreCase(extension.split(";", 2)[0].trim())) {
					return true;
				}
			}
		}
		return false;
	}

	/** The origin's first answer's headers that the client's 101 carries. */
	static HttpHeaders forClient(HttpHeaders origin) {
		HttpHeaders headers = new HttpHeaders();
		origin.forEach((name, values) -> {
			String lower = name.toLowerCase(Locale.ROOT);
			if (!NOT_FOR_CLIENT.contains(lower) && !lower.startsWith("set-meta-")) {
				headers.addAll(name, values);
			}
		});
		return headers;
	}

	/**
	 * Applies an answer's {@code Set-Meta-<Name>} headers to {@code meta}: a value binds the name, an empty one
	 * deletes it. Names keep the case the origin used.
	 */
	static void applySetMeta(HttpHeaders origin, Map<String, String> meta) {
		origin.forEach((name, values) -> {
			if (name.regionMatches(true, 0, SET_META_PREFIX, 0, SET_META_PREFIX.length()) && !values.isEmpty()) {
				String key = name.substring(SET_META_PREFIX.length());
				String value = values.get(0);
				if (value.isEmpty()) {
					meta.remove(key);
				}
				else {
					meta.put(key, value);
				}
			}
		});
	}

	/** {@code Keep-Alive-Interval} in seconds, raised to the minimum of 20; null if absent or not a number. */
	static @Nullable Integer keepAliveInterval(HttpHeaders origin) {
		String value = origin.getFirst(KEEP_ALIVE_INTERVAL);
		if (value == null) {
			return null;
		}
		try {
			return Math.max(20, Integer.parseInt(value.trim()));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
