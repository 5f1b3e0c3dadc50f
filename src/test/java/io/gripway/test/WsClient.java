package io.gripway.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.resources.ConnectionProvider;

/**
 * A real WebSocket client for integration tests (Reactor Netty), on its own connection: records every frame it
 * receives, including pings, and how the connection ended. Every wait is bounded.
 */
public final class WsClient implements AutoCloseable {

	/** A received frame: {@code TEXT}, {@code BINARY}, {@code PING} or {@code PONG}, with its payload. */
	public record Frame(String type, byte[] payload) {

		public String text() {
			return new String(this.payload, StandardCharsets.UTF_8);
		}

		@Override
		public String toString() {
			return this.type + "(" + text() + ")";
		}

	}

	private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

	private final Sinks.Many<WebSocketFrame> outbound = Sinks.many().unicast().onBackpressureBuffer();

	private final CompletableFuture<Connection> opened = new CompletableFuture<>();

	private final CompletableFuture<WebSocketCloseStatus> closeStatus = new CompletableFuture<>();

	private final CompletableFuture<Void> ended = new CompletableFuture<>();

	private volatile @Nullable WebsocketOutbound out;

	private volatile @Nullable HttpHeaders handshakeHeaders;

	private final Disposable subscription;

	private WsClient(String url, Map<String, String> headers, @Nullable String protocols) {
		WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder().handlePing(true);
		if (protocols != null) {
			spec.protocols(protocols);
		}
		this.subscription = HttpClient.create(ConnectionProvider.newConnection())
			.headers(h -> headers.forEach(h::add))
			.websocket(spec.build())
			.uri(url)
			.handle((in, out) -> {
				this.out = out;
				this.handshakeHeaders = in.headers();
				in.withConnection(this.opened::complete);
				in.receiveCloseStatus().subscribe(this.closeStatus::complete);
				Mono<Void> receive = in.receiveFrames().doOnNext(frame -> {
					String type = (frame instanceof TextWebSocketFrame) ? "TEXT"
							: (frame instanceof BinaryWebSocketFrame) ? "BINARY"
									: (frame instanceof PingWebSocketFrame) ? "PING"
											: (frame instanceof PongWebSocketFrame) ? "PONG" : null;
					if (type != null) {
						this.frames.add(new Frame(type, ByteBufUtil.getBytes(frame.content())));
					}
				}).then();
				return Mono.when(receive, out.sendObject(this.outbound.asFlux()).then());
			})
			.subscribe(null, error -> {
				this.opened.completeExceptionally(error);
				this.ended.complete(null);
			}, () -> this.ended.complete(null));
	}

	/** Connects and waits for the handshake; a failed handshake throws its cause. */
	public static WsClient connect(String url) {
		return connect(url, Map.of());
	}

	public static WsClient connect(String url, Map<String, String> headers) {
		return connect(url, headers, null);
	}

	/** @param protocols the subprotocols offered, comma-separated, or null for none */
	public static WsClient connect(String url, Map<String, String> headers, @Nullable String protocols) {
		WsClient client = new WsClient(url, headers, protocols);
		try {
			client.opened.get(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			client.close();
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw (cause instanceof RuntimeException runtime) ? runtime : new IllegalStateException(cause);
		}
		return client;
	}

	/** The server's 101 headers. */
	public HttpHeaders handshakeHeaders() {
		HttpHeaders headers = this.handshakeHeaders;
		if (headers == null) {
			throw new AssertionError("not connected");
		}
		return headers;
	}

	public WsClient sendText(String text) {
		this.outbound.tryEmitNext(new TextWebSocketFrame(text));
		return this;
	}

	public WsClient sendBinary(byte[] bytes) {
		this.outbound.tryEmitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
		return this;
	}

	/** Sends a close frame with {@code code} and {@code reason}. */
	public void sendClose(int code, String reason) {
		WebsocketOutbound out = this.out;
		if (out != null) {
			out.sendClose(code, reason).subscribe();
		}
	}

	/** Closes the TCP connection without a close frame, as a client that vanished. */
	public void vanish() {
		this.opened.join().channel().close();
	}

	/** The next frame, waiting at most {@code limit}; fails when none came. */
	public Frame next(Duration limit) {
		try {
			Frame frame = this.frames.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
			if (frame == null) {
				throw new AssertionError("no frame within " + limit);
			}
			return frame;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted");
		}
	}

	/** The next frame if one comes within {@code limit}, else null. */
	public @Nullable Frame poll(Duration limit) throws InterruptedException {
		return this.frames.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The close status the server sent, waiting at most {@code limit}; fails when it sent none. */
	public WebSocketCloseStatus awaitCloseStatus(Duration limit) {
		try {
			return this.closeStatus.get(limit.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			throw new AssertionError("no close status within " + limit + ": " + ex);
		}
	}

	/** Waits until the connection has ended, at most {@code limit}. */
	public void awaitEnd(Duration limit) {
		try {
			this.ended.get(limit.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			throw new AssertionError("connection did not end within " + limit + ": " + ex);
		}
	}

	@Override
	public void close() {
		this.subscription.dispose();
	}

}
