package io.gripway.gateway;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.http.Content;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A held stream's chunks on a real epoll socket, where {@link Http1ChunkWriter} writes them straight to the socket
 * while nothing waits in the channel's outbound buffer: the bytes and their order are those of Netty's own writes,
 * however much of a chunk the socket takes.
 */
class Http1ChunkWriterSocketTests {

	// fixed and small, so that a client that reads nothing fills it within a few dozen chunks
	private static final int SEND_BUFFER = 4096;

	private EventLoopGroup group;

	private Channel server;

	private Channel stream;

	private Socket client;

	private ChannelStreamOutput output;

	@BeforeEach
	void holdAStream() throws Exception {
		this.group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
		CompletableFuture<Channel> accepted = new CompletableFuture<>();
		this.server = new ServerBootstrap().group(this.group)
			.channel(EpollServerSocketChannel.class)
			.childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER)
			.childHandler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel channel) {
					// the names of Reactor Netty's pipeline, where nothing after the codec acts on a body chunk
					channel.pipeline()
						.addLast(NettyPipeline.HttpCodec, new HttpServerCodec())
						.addLast(NettyPipeline.ReactiveBridge, new ChannelInboundHandlerAdapter() {
							@Override
							public void channelRead(ChannelHandlerContext ctx, Object msg) {
								if (msg instanceof HttpRequest) {
									accepted.complete(ctx.channel());
								}
								ReferenceCountUtil.release(msg);
							}
						});
				}
			})
			.bind("127.0.0.1", 0)
			.sync()
			.channel();
		this.client = new Socket();
		this.client.setReceiveBufferSize(SEND_BUFFER);
		this.client.setSoTimeout(10_000);
		this.client.connect(this.server.localAddress());
		this.client.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
		this.stream = accepted.get(10, TimeUnit.SECONDS);
		assertThat(this.stream).isInstanceOf(EpollSocketChannel.class);
		HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
		head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		this.stream.writeAndFlush(head).sync();
		Mono.<Void>create(done -> this.output = new ChannelStreamOutput(this.stream, 1000, done, true)).subscribe();
	}

	@AfterEach
	void close() throws Exception {
		this.client.close();
		this.server.close().sync();
		this.group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
	}

	/**
	 * The client reads nothing until its socket and the server's are full: the chunk that finds the socket full goes
	 * partly to it, and it and the chunks after it wait in the outbound buffer, in order. Then the client reads some,
	 * so the socket has room again before the event loop has written what waits, and a chunk written just then still
	 * comes after what waits.
	 */
	@Test
	void chunksKeepTheirOrderWhenTheSocketFillsAndEmpties() throws Exception {
		StringBuilder written = new StringBuilder();
		int count = 0;
		while (pendingBytes() == 0 && count < 2000) {
			written.append(writeOnItsOwn(numbered(count++)));
		}
		assertThat(pendingBytes()).as("the socket filled up after %d chunks", count).isPositive();
		for (int i = 0; i < 20; i++) {
			written.append(writeOnItsOwn(numbered(count++)));
		}
		String late = numbered(count++);
		byte[] readFirst = this.stream.eventLoop().submit(() -> {
			// on the event loop, so that it cannot write what waits before the chunk below comes
			// what the client's socket holds now, and no more: the event loop, blocked here, sends nothing meanwhile
			byte[] read = new byte[64 * 1024];
			int length = this.client.getInputStream().read(read);
			// time for the kernel to pass the client's window update to the server's socket, which then has room
			Thread.sleep(100);
			Http1ChunkWriter.of(this.stream, true)
				.writeAndFlush(Unpooled.copiedBuffer(late, StandardCharsets.ISO_8859_1), this.stream.newPromise());
			return Arrays.copyOf(read, length);
		}).get(10, TimeUnit.SECONDS);
		written.append(late);

		InputStream in = new SequenceInputStream(new ByteArrayInputStream(readFirst), this.client.getInputStream());
		assertThat(readLine(in)).isEqualTo("HTTP/1.1 200 OK");
		assertThat(readLine(in)).isEqualToIgnoringCase("transfer-encoding: chunked");
		assertThat(readLine(in)).isEmpty();
		assertThat(readChunks(in, written.length())).isEqualTo(written.toString());

		awaitNothingPending();
		String after = writeOnItsOwn(numbered(count));
		assertThat(readChunks(in, after.length())).isEqualTo(after);
	}

	/** A handler put in front of the pipeline after the stream began may act on writes: the chunks go through it. */
	@Test
	void aHandlerPutInFrontLaterSeesTheChunks() throws Exception {
		StringBuilder seen = new StringBuilder();
		this.stream.pipeline().addFirst("spy", new ChannelOutboundHandlerAdapter() {
			@Override
			public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
				seen.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
				ctx.write(msg, promise);
			}
		});
		writeOnItsOwn("hello");
		assertThat(seen).hasToString("5\r\nhello\r\n");
	}

	/** Writes {@code data} as its own chunk, and waits until the event loop has written it. */
	private String writeOnItsOwn(String data) throws Exception {
		assertThat(this.output.write(Content.utf8(data))).isTrue();
		this.stream.eventLoop().submit(() -> {
		}).get(10, TimeUnit.SECONDS);
		return data;
	}

	private long pendingBytes() throws Exception {
		return this.stream.eventLoop()
			.submit(() -> this.stream.unsafe().outboundBuffer().totalPendingWriteBytes())
			.get(10, TimeUnit.SECONDS);
	}

	private void awaitNothingPending() throws Exception {
		for (int i = 0; i < 1000 && pendingBytes() > 0; i++) {
			Thread.sleep(10);
		}
		assertThat(pendingBytes()).isZero();
	}

	/** Chunk {@code i}: 1000 bytes (a chunk the writer copies into one buffer), its number first. */
	private static String numbered(int i) {
		String number = String.format("%04d:", i);
		return number + String.valueOf((char) ('a' + i % 26)).repeat(1000 - number.length());
	}

	/** The data of chunks as they arrive, until {@code length} characters of it, checking each chunk's framing. */
	private static String readChunks(InputStream in, int length) throws IOException {
		StringBuilder data = new StringBuilder();
		while (data.length() < length) {
			int size = Integer.parseInt(readLine(in), 16);
			assertThat(size).isPositive();
			data.append(new String(in.readNBytes(size), StandardCharsets.ISO_8859_1));
			assertThat(readLine(in)).as("the chunk's end").isEmpty();
		}
		return data.toString();
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int next = in.read(); next != '\n'; next = in.read()) {
			assertThat(next).as("end of stream within a line").isNotNegative();
			line.append((char) next);
		}
		assertThat(line).endsWith("\r");
		return line.substring(0, line.length() - 1);
	}

}
