package io.gripway.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;

/**
 * Immutable bytes: a message body, stream content or keep-alive data. Made once when a message is parsed and then
 * shared, never copied, by every subscriber it is delivered to.
 */
public final class Content {

	public static final Content EMPTY = new Content(new byte[0]);

	private final byte[] bytes;

	// the bytes once more, off-heap, made on first write and shared by every write: a socket write needs direct
	// memory, and a heap buffer would be copied into a new direct one per subscriber. Unreleasable: writes may
	// release their views freely; the memory goes with this object (the JDK frees a direct ByteBuffer on GC).
	private volatile @Nullable ByteBuf direct;

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

	/**
	 * A view of the bytes in shared direct memory, with its own indices, for one write. Releasing it is allowed
	 * and does nothing.
	 */
	public ByteBuf directView() {
		ByteBuf shared = this.direct;
		if (shared == null) {
			ByteBuffer memory = ByteBuffer.allocateDirect(this.bytes.length);
			memory.put(this.bytes).flip();
			shared = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(memory));
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
