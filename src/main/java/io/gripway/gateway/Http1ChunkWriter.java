package io.gripway.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import io.gripway.server.RequestHeaderTimeout;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.codec.http.HttpServerCodec;
import org.jspecify.annotations.Nullable;
import reactor.netty.NettyPipeline;

/**
 * Writes a held HTTP/1.1 stream's chunks beneath the HTTP codec, framed here as its encoder frames them
 * ({@code size-in-hex CRLF data CRLF}), where nothing between the codec and the pipeline's tail acts on a body chunk.
 *
 * <p>
 * Why: Netty's response encoder keeps one output list per connection and stores the pieces of every chunk it frames
 * in that list's array. The array lives as long as the held stream, in the old generation, so each store marks its
 * card, and the next young collection scans every marked card. In a fan-out to 19.5k streams those cards were half
 * of all the cards each young pause scanned (bench/README.md, "What a fan-out leaves for the young collection").
 *
 * <p>
 * Only where the bytes on the wire are the same as the codec's: a response the codec frames as chunks (a keep-alive
 * HTTP/1.1 client, see {@link ClientResponses#chunked}; not {@code HEAD}, and not a status without a body), with
 * nothing after the codec but Reactor Netty's traffic handler and reactive bridge and Gripway's request-header timer,
 * none of which looks at a body chunk. A compressor, an access log, metrics, anything else there, or HTTP/2 (no
 * HTTP/1.1 codec at all) keeps the codec's path. The codec still writes the head before and the last chunk after, and
 * its state stays "chunked content" in between, which is all it knows of the body.
 *
 * <p>
 * <b>Straight to the socket.</b> On Netty's epoll transport, where no handler between the codec and the socket acts on
 * writes, a chunk that finds nothing pending in the channel's outbound buffer is written to the socket at once, and
 * only what the socket does not take goes through the outbound buffer. Why: every write through that buffer stores its
 * new entry into it, and the buffer lives as long as the connection, in the old generation: after the codec's list, it
 * was the one card per held stream left for the next young collection to scan (bench/README.md, "Straight to the
 * socket"). The same syscall Netty would make, from the same event loop, so nothing else changes: the channel closes,
 * and stops taking direct writes, on that event loop, before its socket is closed.
 */
final class Http1ChunkWriter {

	private static final Set<String> PASSIVE_FOR_BODY = Set.of(NettyPipeline.HttpTrafficHandler,
			NettyPipeline.ReactiveBridge, RequestHeaderTimeout.HEADERS_DONE);

	// a chunk up to this size is copied after its size line; a larger one is not copied
	private static final int COPY_LIMIT = 1024;

	private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

	private static final short CRLF_SHORT = ('\r' << 8) | '\n';

	private static final ByteBuf CRLF = Unpooled
		.unreleasableBuffer(Unpooled.directBuffer(2).writeByte('\r').writeByte('\n'))
		.asReadOnly();

	private final ChannelHandlerContext codec;

	// the channel's socket where chunks may go straight to it, else null
	private final @Nullable FileDescriptor socket;

	// the pipeline's first handler when the writer was made: a handler added in front since may act on writes
	private final @Nullable ChannelHandlerContext first;

	private Http1ChunkWriter(ChannelHandlerContext codec, @Nullable FileDescriptor socket) {
		this.codec = codec;
		this.socket = socket;
		this.first = codec.pipeline().firstContext();
	}

	/**
	 * The writer for {@code channel}, or {@code null} where the codec must frame the body itself.
	 * @param framedAsChunks whether the response's head, already written, makes the codec frame its body as chunks
	 */
	static @Nullable Http1ChunkWriter of(Channel channel, boolean framedAsChunks) {
		if (!framedAsChunks) {
			return null;
		}
		ChannelPipeline pipeline = channel.pipeline();
		ChannelHandlerContext codec = pipeline.context(HttpServerCodec.class);
		if (codec == null) {
			return null;
		}
		boolean afterCodec = false;
		boolean writesBeforeCodec = false;
		for (Map.Entry<String, ChannelHandler> handler : pipeline) {
			if (afterCodec && !PASSIVE_FOR_BODY.contains(handler.getKey())) {
				return null;
			}
			afterCodec |= (handler.getValue() == codec.handler());
			writesBeforeCodec |= !afterCodec && (handler.getValue() instanceof ChannelOutboundHandler);
		}
		boolean straight = !writesBeforeCodec && channel instanceof EpollSocketChannel;
		return new Http1ChunkWriter(codec, straight ? ((EpollSocketChannel) channel).fd() : null);
	}

	/** Writes {@code data} (not empty; this takes it over) as one chunk and flushes; on the event loop. */
	void writeAndFlush(ByteBuf data, ChannelPromise promise) {
		int size = data.readableBytes();
		int digits = (Integer.SIZE - Integer.numberOfLeadingZeros(size) + 3) / 4;
		ByteBuf chunk;
		if (size <= COPY_LIMIT) {
			// one pooled buffer: the composite below would leave four objects per stream for the young collection
			chunk = this.codec.alloc().directBuffer(digits + size + 4);
			writeSize(chunk, size, digits);
			chunk.writeBytes(data, data.readerIndex(), size).writeShort(CRLF_SHORT);
			data.release();
		}
		else {
			ByteBuf head = this.codec.alloc().directBuffer(digits + 2);
			writeSize(head, size, digits);
			chunk = Unpooled.wrappedBuffer(3, head, data, CRLF.duplicate());
		}
		if (writtenToSocket(chunk)) {
			chunk.release();
			promise.setSuccess();
			return;
		}
		this.codec.writeAndFlush(chunk, promise);
	}

	/**
	 * Writes what {@code chunk}'s socket takes of it where nothing is ahead of it; what is left, the caller writes
	 * through the pipeline.
	 * @return whether the socket took all of it
	 */
	private boolean writtenToSocket(ByteBuf chunk) {
		FileDescriptor socket = this.socket;
		if (socket == null || !chunk.hasMemoryAddress() || !nothingAhead() || !socket.isOpen()) {
			return false;
		}
		try {
			int written = socket.writeAddress(chunk.memoryAddress(), chunk.readerIndex(), chunk.writerIndex());
			chunk.skipBytes(written);
			return !chunk.isReadable();
		}
		catch (IOException ex) {
			// the channel's own write meets the same error and closes the channel as it always does
			return false;
		}
	}

	/**
	 * Whether a byte written to the socket now would follow everything written before it: nothing waits in the
	 * outbound buffer (each waiting entry counts its overhead, so even an empty one shows), the channel is not closing
	 * (its outbound buffer is gone from the moment it starts to), and no handler was put in front of those that were
	 * there, none of which acts on writes.
	 */
	private boolean nothingAhead() {
		ChannelOutboundBuffer outbound = this.codec.channel().unsafe().outboundBuffer();
		return outbound != null && outbound.totalPendingWriteBytes() == 0
				&& this.codec.pipeline().firstContext() == this.first;
	}

	/** The chunk's size line, in lower-case hex as Netty's encoder writes it. */
	private static void writeSize(ByteBuf buffer, int size, int digits) {
		for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
			buffer.writeByte(HEX[(size >>> shift) & 0xF]);
		}
		buffer.writeShort(CRLF_SHORT);
	}

}
