package io.gripway.gateway;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import io.gripway.http.Content;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A held stream's writes pass through the HTTP codecs of the channel's pipeline, as any response body does. Tested
 * with Netty's own {@link HttpContentCompressor}, which leaves a bare {@code ByteBuf} alone: a held write that were
 * not an {@link HttpContent} would reach the client uncompressed inside a gzip response. (Reactor Netty's compressor
 * and HTTP/2 bridge happen to wrap bare buffers too; {@code HeldWriteCodecIntegrationTests} covers those end to end.)
 */
class ChannelStreamOutputCodecTests {

	@Test
	void heldWritesAreCompressedWithTheRestOfTheResponse() {
		EmbeddedChannel server = new EmbeddedChannel(new HttpResponseEncoder(), new HttpContentCompressor());
		DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/stream");
		request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.GZIP);
		server.writeInbound(request);
		server.<Object>readInbound();
		HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
		head.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
			.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		server.writeOutbound(head);

		AtomicBoolean ended = new AtomicBoolean();
		ChannelStreamOutput[] output = new ChannelStreamOutput[1];
		Mono.<Void>create(done -> output[0] = new ChannelStreamOutput(server, 8, done, false))
			.doOnSuccess(nothing -> ended.set(true))
			.subscribe();
		output[0].write(Content.utf8("one\n"));
		server.runPendingTasks();
		output[0].write(Content.utf8("two\n"));
		output[0].end();
		server.runPendingTasks();
		assertThat(ended).isTrue();
		// what Reactor Netty writes once the held write completes
		server.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);

		EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpContentDecompressor());
		for (ByteBuf wire = server.readOutbound(); wire != null; wire = server.readOutbound()) {
			client.writeInbound(wire);
		}
		HttpResponse received = client.readInbound();
		assertThat(received.decoderResult().isSuccess()).isTrue();
		StringBuilder body = new StringBuilder();
		for (Object part = client.readInbound(); part != null; part = client.readInbound()) {
			HttpContent content = (HttpContent) part;
			assertThat(content.decoderResult().isSuccess()).isTrue();
			body.append(content.content().toString(StandardCharsets.UTF_8));
			content.release();
		}
		assertThat(body).hasToString("one\ntwo\n");
		assertThat(server.finishAndReleaseAll()).isFalse();
		client.finishAndReleaseAll();
	}

	/**
	 * A plain chunked HTTP/1.1 response: the chunks leave beneath the codec ({@link Http1ChunkWriter}), with the bytes
	 * the codec would have written, small and large, lone and batched, and the codec still ends the body.
	 */
	@Test
	void chunksWrittenBeneathTheCodecAreTheBytesTheCodecWrites() {
		String large = "L".repeat(3000);
		Wire beneath = wire(NettyPipeline.HttpTrafficHandler, true, "one\n", "two\n|three\n", large);
		Wire through = wire(NettyPipeline.HttpTrafficHandler, false, "one\n", "two\n|three\n", large);

		assertThat(beneath.bytes()).isEqualTo(through.bytes())
			.endsWith("4\r\none\n\r\na\r\ntwo\nthree\n\r\nbb8\r\n" + large + "\r\n0\r\n\r\n");
		assertThat(through.spy().bodyChunks).as("the codec's path").isEqualTo(3);
		assertThat(beneath.spy().bodyChunks).as("nothing after the codec saw the chunks").isZero();
	}

	@Test
	void anUnknownHandlerAfterTheCodecKeepsTheCodecsPath() {
		Wire wire = wire("someone.else", true, "one\n");
		assertThat(wire.bytes()).endsWith("4\r\none\n\r\n0\r\n\r\n");
		assertThat(wire.spy().bodyChunks).isEqualTo(1);
	}

	private record Wire(String bytes, BodySpy spy) {
	}

	/**
	 * What a held stream writes on Reactor Netty's HTTP/1.1 pipeline in miniature: the codec, then a spy named
	 * {@code spyName}; each of {@code writes} is one run of the event loop, its parts split at {@code |}.
	 */
	private static Wire wire(String spyName, boolean framedAsChunks, String... writes) {
		BodySpy spy = new BodySpy();
		EmbeddedChannel server = new EmbeddedChannel();
		server.pipeline().addLast(NettyPipeline.HttpCodec, new HttpServerCodec()).addLast(spyName, spy);
		server.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/stream"));
		ReferenceCountUtil.release(server.readInbound());
		HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
		head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		server.writeOutbound(head);

		ChannelStreamOutput[] output = new ChannelStreamOutput[1];
		Mono.<Void>create(done -> output[0] = new ChannelStreamOutput(server, 8, done, framedAsChunks))
			.subscribe();
		for (String write : writes) {
			for (String part : write.split("\\|")) {
				output[0].write(Content.utf8(part));
			}
			server.runPendingTasks();
		}
		output[0].end();
		server.runPendingTasks();
		server.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);

		StringBuilder bytes = new StringBuilder();
		for (ByteBuf buffer = server.readOutbound(); buffer != null; buffer = server.readOutbound()) {
			bytes.append(buffer.toString(StandardCharsets.ISO_8859_1));
			buffer.release();
		}
		assertThat(server.finishAndReleaseAll()).isFalse();
		return new Wire(bytes.toString(), spy);
	}

	/** Counts the body chunks written past it (not the head, not the last content). */
	private static final class BodySpy extends ChannelOutboundHandlerAdapter {

		int bodyChunks;

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
			if (msg instanceof HttpContent && !(msg instanceof LastHttpContent)) {
				this.bodyChunks++;
			}
			ctx.write(msg, promise);
		}

	}

}
