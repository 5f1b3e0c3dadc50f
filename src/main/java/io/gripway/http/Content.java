package io.gripway.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Immutable bytes: a message body, stream content or keep-alive data. Made once when a message is parsed and then
 * shared, never copied, by every subscriber it is delivered to.
 */
public final class Content {

	public static final Content EMPTY = new Content(new byte[0]);

	private final byte[] bytes;

	// the bytes once more, off-heap, for socket writes (see directBuffer); the JDK frees it with this object
	private volatile @Nullable ByteBuffer direct;

	private Content(byte[] bytes) {
		this.bytes = bytes;
	}

	/** A copy of {@code bytes}. */
	public static Content of(byte[] bytes) {
		return (bytes.length == 0) ? EMPTY : new Content(bytes.clone());
	}

	/** Takes {@code bytes} without copying: the caller must not touch the array again. */
	public static Content adopt(byte[] bytes) {
		return (bytes.length == 0) ? EMPTY : new Content(bytes);
	}

	public static Content utf8(String text) {
		return adopt(text.getBytes(StandardCharsets.UTF_8));
	}

	/** Decodes standard base64 (as GRIP's {@code *-bin} fields carry it). */
	public static Content base64(String encoded) {
		return adopt(Base64.getDecoder().decode(encoded));
	}

	/** The bytes of {@code parts} one after another, as one content. */
	public static Content join(List<Content> parts) {
		if (parts.size() == 1) {
			return parts.get(0);
		}
		int length = 0;
		for (Content part : parts) {
			length += part.bytes.length;
		}
		byte[] joined = new byte[length];
		int at = 0;
		for (Content part : parts) {
			System.arraycopy(part.bytes, 0, joined, at, part.bytes.length);
			at += part.bytes.length;
		}
		return adopt(joined);
	}

	public int length() {
		return this.bytes.length;
	}

	public boolean isEmpty() {
		return this.bytes.length == 0;
	}

	/** A read-only view, for writing without a copy. */
	public ByteBuffer asByteBuffer() {
		return ByteBuffer.wrap(this.bytes).asReadOnlyBuffer();
	}

	public boolean startsWith(byte[] prefix) {
		return this.bytes.length >= prefix.length
				&& Arrays.equals(this.bytes, 0, prefix.length, prefix, 0, prefix.length);
	}

	/** The bytes from {@code offset} on, copied (a prefix stripped off a message for one client). */
	public Content from(int offset) {
		return adopt(Arrays.copyOfRange(this.bytes, offset, this.bytes.length));
	}

	/**
	 * The bytes in direct memory, made on first use and shared by every later call: a view with its own position for
	 * one socket write, which must only be read. A socket write needs direct memory, and a heap buffer would be
	 * copied into a new direct one for every subscriber.
	 */
	public ByteBuffer directBuffer() {
		ByteBuffer shared = this.direct;
		if (shared == null) {
			shared = ByteBuffer.allocateDirect(this.bytes.length);
			shared.put(this.bytes).flip();
			this.direct = shared;
		}
		return shared.duplicate();
	}

	public byte[] toByteArray() {
		return this.bytes.clone();
	}

	public String toUtf8() {
		return new String(this.bytes, StandardCharsets.UTF_8);
	}

	public String toBase64() {
		return Base64.getEncoder().encodeToString(this.bytes);
	}

	@Override
	public boolean equals(Object other) {
		return (other instanceof Content that) && Arrays.equals(this.bytes, that.bytes);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.bytes);
	}

	@Override
	public String toString() {
		return "Content[" + this.bytes.length + " bytes]";
	}

}
