package io.gripway.bus;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.gripway.publish.Action;
import io.gripway.publish.Format;
import io.gripway.publish.HttpResponseFormat;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import io.gripway.publish.WsMessageFormat;
import io.gripway.publish.WsMessageType;
import org.jspecify.annotations.Nullable;

/**
 * Encodes one {@link PublishItem} and the time it was published as one bus message, and back. Each node decodes a
 * message once, then shares the decoded item with all its subscribers.
 *
 * <h3>Wire format</h3> The first byte is the version, so nodes of different Gripway versions can share a bus during a
 * rolling upgrade: a node skips (and counts) versions it does not know instead of misreading them. Version 1 is a
 * compact binary layout; Content bytes are carried raw, since base64 would grow every body by a third:
 * <pre>
 * u8 version=1, i64 publishedAtMillis, str channel, nstr id, nstr prevId,
 * u8 flags (1 noSeq, 2 http-response, 4 http-stream, 8 ws-message), var count, (str key, str value)* meta,
 * http-response: u8 action, var code, nstr reason, var count, (str name, str value)* headers, bytes body
 * http-stream:   u8 action, bytes content
 * ws-message:    u8 action, u8 type, bytes content, u8 hasCloseCode, [i32 closeCode], nstr closeReason
 * </pre>
 * Version 2 is version 1 with {@code nlist contentFilters} at the end of each format present. It is written only for
 * an item where some format names {@code content-filters}; every other item is still written as version 1, so during
 * an upgrade older nodes keep receiving everything except the items whose content filters they could not honour.
 * <p>
 * {@code var} is an unsigned LEB128 varint of 32 bits; {@code bytes} and {@code str} (UTF-8) are a var length then the
 * bytes; {@code nstr} is a var of length + 1, 0 meaning null; {@code nlist} is a var of count + 1, 0 meaning null,
 * then that many {@code str}. Enums are written as their index in {@link #ACTIONS} and {@link #WS_TYPES}, never their
 * ordinal, so reordering an enum cannot change the wire format.
 *
 * <h3>Thread safety</h3> Stateless; safe from any thread.
 */
final class BusCodec {

	/** Items without content filters, readable by every Gripway. */
	static final int V1 = 1;

	/** Adds the {@code content-filters} of each format. */
	static final int V2 = 2;

	private static final Action[] ACTIONS = { Action.SEND, Action.HINT, Action.CLOSE, Action.REFRESH };

	private static final WsMessageType[] WS_TYPES = { WsMessageType.TEXT, WsMessageType.BINARY, WsMessageType.PING,
			WsMessageType.PONG };

	private static final int NO_SEQ = 1;

	private static final int HTTP_RESPONSE = 2;

	private static final int HTTP_STREAM = 4;

	private static final int WS_MESSAGE = 8;

	private BusCodec() {
	}

	/** A decoded bus message. */
	record Message(PublishItem item, long publishedAtMillis) {
	}

	static byte[] encode(PublishItem item, long publishedAtMillis) {
		Writer out = new Writer();
		boolean v2 = hasContentFilters(item);
		out.write(v2 ? V2 : V1);
		out.writeLong(publishedAtMillis);
		out.writeString(item.channel());
		out.writeNullableString(item.id());
		out.writeNullableString(item.prevId());
		out.write(flags(item));
		out.writeVar(item.meta().size());
		item.meta().forEach((key, value) -> {
			out.writeString(key);
			out.writeString(value);
		});
		HttpResponseFormat response = item.httpResponse();
		if (response != null) {
			out.write(indexOf(ACTIONS, response.action()));
			out.writeVar(response.code());
			out.writeNullableString(response.reason());
			out.writeVar(response.headers().size());
			for (HeaderField header : response.headers()) {
				out.writeString(header.name());
				out.writeString(header.value());
			}
			out.writeLengthAndBytes(response.body().toByteArray());
			if (v2) {
				out.writeNullableList(response.contentFilters());
			}
		}
		HttpStreamFormat stream = item.httpStream();
		if (stream != null) {
			out.write(indexOf(ACTIONS, stream.action()));
			out.writeLengthAndBytes(stream.content().toByteArray());
			if (v2) {
				out.writeNullableList(stream.contentFilters());
			}
		}
		WsMessageFormat ws = item.wsMessage();
		if (ws != null) {
			out.write(indexOf(ACTIONS, ws.action()));
			out.write(indexOf(WS_TYPES, ws.type()));
			out.writeLengthAndBytes(ws.content().toByteArray());
			Integer closeCode = ws.closeCode();
			out.write((closeCode != null) ? 1 : 0);
			if (closeCode != null) {
				out.writeInt(closeCode);
			}
			out.writeNullableString(ws.closeReason());
			if (v2) {
				out.writeNullableList(ws.contentFilters());
			}
		}
		return out.toByteArray();
	}

	/**
	 * Decodes one bus message.
	 * @throws MalformedBusMessageException if the message is empty, of an unknown version, truncated, has bytes left
	 * over, or does not make a valid item
	 */
	static Message decode(byte[] message) throws MalformedBusMessageException {
		if (message.length == 0) {
			throw new MalformedBusMessageException("empty bus message");
		}
		int version = message[0] & 0xFF;
		if (version != V1 && version != V2) {
			throw new MalformedBusMessageException("unknown bus message version " + version + " (this node reads "
					+ V1 + " and " + V2 + "), " + message.length + " bytes");
		}
		Reader in = new Reader(ByteBuffer.wrap(message, 1, message.length - 1));
		try {
			Message decoded = readItem(in, version == V2);
			if (in.buffer.hasRemaining()) {
				throw new MalformedBusMessageException(
						"bus message has " + in.buffer.remaining() + " bytes after the item");
			}
			return decoded;
		}
		catch (BufferUnderflowException ex) {
			throw new MalformedBusMessageException("truncated bus message, " + message.length + " bytes", ex);
		}
		catch (RuntimeException ex) {
			// the records' own checks: a null where a value is required, an item without a format
			throw new MalformedBusMessageException("invalid bus message: " + ex.getMessage(), ex);
		}
	}

	private static Message readItem(Reader in, boolean v2) throws MalformedBusMessageException {
		long publishedAtMillis = in.buffer.getLong();
		String channel = in.readString();
		String id = in.readNullableString();
		String prevId = in.readNullableString();
		int flags = in.readByte();
		int metaCount = in.readCount();
		Map<String, String> meta = new HashMap<>();
		for (int i = 0; i < metaCount; i++) {
			meta.put(in.readString(), in.readString());
		}
		HttpResponseFormat response = null;
		if ((flags & HTTP_RESPONSE) != 0) {
			Action action = in.readEnum(ACTIONS);
			int code = in.readVar();
			String reason = in.readNullableString();
			int headerCount = in.readCount();
			List<HeaderField> headers = new ArrayList<>(headerCount);
			for (int i = 0; i < headerCount; i++) {
				headers.add(new HeaderField(in.readString(), in.readString()));
			}
			Content body = in.readContent();
			response = new HttpResponseFormat(action, code, reason, headers, body, v2 ? in.readNullableList() : null);
		}
		HttpStreamFormat stream = null;
		if ((flags & HTTP_STREAM) != 0) {
			Action action = in.readEnum(ACTIONS);
			Content content = in.readContent();
			stream = new HttpStreamFormat(action, content, v2 ? in.readNullableList() : null);
		}
		WsMessageFormat ws = null;
		if ((flags & WS_MESSAGE) != 0) {
			Action action = in.readEnum(ACTIONS);
			WsMessageType type = in.readEnum(WS_TYPES);
			Content content = in.readContent();
			Integer closeCode = (in.readByte() != 0) ? in.buffer.getInt() : null;
			String closeReason = in.readNullableString();
			ws = new WsMessageFormat(action, type, content, closeCode, closeReason, v2 ? in.readNullableList() : null);
		}
		PublishItem item = new PublishItem(channel, id, prevId, meta, response, stream, ws, (flags & NO_SEQ) != 0);
		return new Message(item, publishedAtMillis);
	}

	private static int flags(PublishItem item) {
		return (item.noSeq() ? NO_SEQ : 0) | ((item.httpResponse() != null) ? HTTP_RESPONSE : 0)
				| ((item.httpStream() != null) ? HTTP_STREAM : 0) | ((item.wsMessage() != null) ? WS_MESSAGE : 0);
	}

	private static boolean hasContentFilters(PublishItem item) {
		return hasContentFilters(item.httpResponse()) || hasContentFilters(item.httpStream())
				|| hasContentFilters(item.wsMessage());
	}

	private static boolean hasContentFilters(@Nullable Format format) {
		return format != null && format.contentFilters() != null;
	}

	private static <E> int indexOf(E[] values, E value) {
		return Arrays.asList(values).indexOf(value);
	}

	private static final class Writer extends ByteArrayOutputStream {

		Writer() {
			super(256);
		}

		void writeLong(long value) {
			for (int shift = 56; shift >= 0; shift -= 8) {
				write((int) (value >>> shift));
			}
		}

		void writeInt(int value) {
			for (int shift = 24; shift >= 0; shift -= 8) {
				write(value >>> shift);
			}
		}

		/** Unsigned LEB128 of all 32 bits, so negative values round-trip too (in 5 bytes). */
		void writeVar(int value) {
			int rest = value;
			while ((rest & ~0x7F) != 0) {
				write((rest & 0x7F) | 0x80);
				rest >>>= 7;
			}
			write(rest);
		}

		void writeLengthAndBytes(byte[] bytes) {
			writeVar(bytes.length);
			write(bytes, 0, bytes.length);
		}

		void writeString(String value) {
			writeLengthAndBytes(value.getBytes(StandardCharsets.UTF_8));
		}

		void writeNullableString(@Nullable String value) {
			if (value == null) {
				writeVar(0);
				return;
			}
			byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
			writeVar(bytes.length + 1);
			write(bytes, 0, bytes.length);
		}

		void writeNullableList(@Nullable List<String> values) {
			if (values == null) {
				writeVar(0);
				return;
			}
			writeVar(values.size() + 1);
			for (String value : values) {
				writeString(value);
			}
		}

	}

	private static final class Reader {

		final ByteBuffer buffer;

		Reader(ByteBuffer buffer) {
			this.buffer = buffer;
		}

		int readByte() {
			return this.buffer.get() & 0xFF;
		}

		int readVar() throws MalformedBusMessageException {
			int value = 0;
			for (int shift = 0; shift < 35; shift += 7) {
				int b = readByte();
				value |= (b & 0x7F) << shift;
				if ((b & 0x80) == 0) {
					return value;
				}
			}
			throw new MalformedBusMessageException("varint longer than 5 bytes");
		}

		/** A length or count, checked against what is left so a corrupt length cannot allocate a huge array. */
		int readCount() throws MalformedBusMessageException {
			int count = readVar();
			if (count < 0 || count > this.buffer.remaining()) {
				throw new MalformedBusMessageException(
						"length " + Integer.toUnsignedString(count) + " exceeds the " + this.buffer.remaining()
								+ " bytes left");
			}
			return count;
		}

		byte[] readBytes(int length) {
			byte[] bytes = new byte[length];
			this.buffer.get(bytes);
			return bytes;
		}

		Content readContent() throws MalformedBusMessageException {
			return Content.adopt(readBytes(readCount()));
		}

		String readString() throws MalformedBusMessageException {
			return new String(readBytes(readCount()), StandardCharsets.UTF_8);
		}

		@Nullable String readNullableString() throws MalformedBusMessageException {
			int lengthPlusOne = readVar();
			if (lengthPlusOne == 0) {
				return null;
			}
			if (lengthPlusOne < 0 || lengthPlusOne - 1 > this.buffer.remaining()) {
				throw new MalformedBusMessageException("string length exceeds the message");
			}
			return new String(readBytes(lengthPlusOne - 1), StandardCharsets.UTF_8);
		}

		@Nullable List<String> readNullableList() throws MalformedBusMessageException {
			int countPlusOne = readVar();
			if (countPlusOne == 0) {
				return null;
			}
			// each element takes at least its length byte
			if (countPlusOne < 0 || countPlusOne - 1 > this.buffer.remaining()) {
				throw new MalformedBusMessageException("list length exceeds the message");
			}
			List<String> values = new ArrayList<>(countPlusOne - 1);
			for (int i = 1; i < countPlusOne; i++) {
				values.add(readString());
			}
			return values;
		}

		<E> E readEnum(E[] values) throws MalformedBusMessageException {
			int index = readByte();
			if (index >= values.length) {
				throw new MalformedBusMessageException("unknown enum code " + index);
			}
			return values[index];
		}

	}

}
