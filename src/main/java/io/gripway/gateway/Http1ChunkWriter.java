package io.gripway.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import io.gripway.server.RequestHeaderTimeout;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
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

	private Http1ChunkWriter(ChannelHandlerContext codec) {
		this.codec = codec;
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
		for (Map.Entry<String, ChannelHandler> handler : pipeline) {
			if (afterCodec && !PASSIVE_FOR_BODY.contains(handler.getKey())) {
				return null;
			}
			afterCodec |= (handler.getValue() == codec.handler());
		}
		return new Http1ChunkWriter(codec);
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
		this.codec.writeAndFlush(chunk, promise);
	}

	/** The chunk's size line, in lower-case hex as Netty's encoder writes it. */
	private static void writeSize(ByteBuf buffer, int size, int digits) {
		for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
			buffer.writeByte(HEX[(size >>> shift) & 0xF]);
		}
		buffer.writeShort(CRLF_SHORT);
	}

}
