package io.gripway.websocket;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.gripway.http.Content;

/**
 * The {@code application/websocket-events} encoding (reference §4.2, js-grip {@code webSocketEvents.ts}): each event
 * is {@code TYPE SP HEXLEN CRLF CONTENT CRLF}, or {@code TYPE CRLF} without content. Pure: no I/O, no clock.
 *
 * <p>
 * Lengths are written in lower-case hex, as Pushpin ({@code QByteArray::number(n, 16)}) and js-grip
 * ({@code toString(16)}) write them; either case is read. {@code TEXT} and {@code BINARY} always carry a length (an
 * empty message is {@code TEXT 0\r\n\r\n}); other events carry one only when they have content.
 */
public final class WsEvents {

	/** The content type of event bodies, both ways; compared exactly, as Pushpin does. */
	public static final String CONTENT_TYPE = "application/websocket-events";

	private static final byte[] CRLF = { '\r', '\n' };

	private WsEvents() {
	}

	public static byte[] encode(List<WsEvent> events) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (WsEvent event : events) {
			out.writeBytes(event.type().name().getBytes(StandardCharsets.US_ASCII));
			if (!event.content().isEmpty() || isMessage(event.type())) {
				out.write(' ');
				out.writeBytes(Integer.toHexString(event.content().length()).getBytes(StandardCharsets.US_ASCII));
				out.writeBytes(CRLF);
				out.writeBytes(event.content().toByteArray());
			}
			out.writeBytes(CRLF);
		}
		return out.toByteArray();
	}

	// an empty message still has a length, as Pushpin writes it: js-grip reads "TEXT\r\n" as no message at all
	private static boolean isMessage(WsEvent.Type type) {
		return type == WsEvent.Type.TEXT || type == WsEvent.Type.BINARY;
	}

	/**
	 * Reads every event in {@code body}; an empty body has none.
	 * @throws InvalidWsEventsException naming the offset and the rule broken: an unknown type, a bad hex length,
	 * content shorter than its length, or anything but CRLF where a line must end
	 */
	public static List<WsEvent> decode(byte[] body) {
		List<WsEvent> events = new ArrayList<>();
		int at = 0;
		while (at < body.length) {
			int lineEnd = indexOfCrlf(body, at);
			if (lineEnd < 0) {
				throw new InvalidWsEventsException("event at offset " + at + " has no CRLF after its type");
			}
			String line = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII);
			int space = line.indexOf(' ');
			String typeName = (space < 0) ? line : line.substring(0, space);
			WsEvent.Type type = WsEvent.Type.named(typeName);
			if (type == null) {
				throw new InvalidWsEventsException("unknown event type '" + typeName + "' at offset " + at);
			}
			at = lineEnd + 2;
			if (space < 0) {
				events.add(new WsEvent(type, Content.EMPTY));
				continue;
			}
			int length = hexLength(line.substring(space + 1), lineEnd);
			if (length > body.length - at || body.length - at - length < 2) {
				throw new InvalidWsEventsException(type + " event at offset " + lineEnd + " declares " + length
						+ " bytes of content but the body ends first");
			}
			if (body[at + length] != '\r' || body[at + length + 1] != '\n') {
				throw new InvalidWsEventsException(
						type + " event content at offset " + at + " is not followed by CRLF after " + length
								+ " bytes");
			}
			events.add(new WsEvent(type, Content.adopt(Arrays.copyOfRange(body, at, at + length))));
			at += length + 2;
		}
		return events;
	}

	private static int hexLength(String hex, int offset) {
		// Integer.parseInt would also take a sign, which is not hex on this wire
		if (hex.isEmpty() || hex.length() > 7 || !hex.chars().allMatch(WsEvents::isHexDigit)) {
			throw new InvalidWsEventsException("event length '" + hex + "' before offset " + offset + " is not hex");
		}
		return Integer.parseInt(hex, 16);
	}

	private static boolean isHexDigit(int c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}

	private static int indexOfCrlf(byte[] body, int from) {
		for (int i = from; i < body.length - 1; i++) {
			if (body[i] == '\r' && body[i + 1] == '\n') {
				return i;
			}
		}
		return -1;
	}

}
