package io.gripway.websocket;

import io.gripway.hold.HoldRegistry;
import io.gripway.hold.WebSocketHold;
import io.gripway.http.Content;
import io.gripway.publish.WsMessageType;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.util.concurrent.Queues;

/**
 * One client WebSocket proxied to a WebSocket origin (reference §4.1). When the origin accepted the GRIP extension
 * ({@code Sec-WebSocket-Extensions: grip}), its messages go through {@link OriginMessageHandler} ({@code m:}, {@code c:},
 * publishes); otherwise they are relayed unchanged. Client messages are relayed unchanged either way.
 *
 * <h3>Bounded queue</h3> Client frames wait for the origin's socket in a queue of {@code queueCapacity}; a client
 * that outpaces its origin that far is dropped.
 *
 * <h3>Thread safety</h3> Client frames come from the client's event loop, origin frames from the origin's; the
 * state flags are volatile and only ever go from false to true.
 *
 * <h3>Lifecycle</h3> Made once the origin accepted. Everything done on the origin connection (frames to it, frames
 * and the close status from it, a close frame sent to it) is one publisher, {@link #relay()}, which the origin
 * connection's handler returns: it starts reading when {@link #start} is called and ends, closing the connection and
 * cancelling whatever is still running, when {@link #end()} (or a close sent to the origin) completes {@code done}.
 */
final class WsProxySession implements ClientSession {

	private static final Log logger = LogFactory.getLog(WsProxySession.class);

	private final WebsocketInbound originIn;

	private final WebsocketOutbound originOut;

	private final WebSocketHold hold;

	private final OriginMessageHandler messages;

	private final Sinks.Many<WebSocketFrame> toOrigin;

	private final Sinks.Empty<Void> done;

	// completed by start(): the origin's frames are read from then on
	private final Sinks.Empty<Void> started = Sinks.empty();

	// a close frame to send the origin (its code and reason), then the connection ends
	private final Sinks.One<CloseFrame> closing = Sinks.one();

	private final String logPrefix;

	private volatile boolean detached;

	private volatile boolean originClosed;

	private volatile Runnable drop = () -> {
	};

	WsProxySession(WebsocketInbound originIn, WebsocketOutbound originOut, boolean grip, HoldRegistry registry,
			Scheduler timer, int queueCapacity, Sinks.Empty<Void> done, String logPrefix) {
		this.originIn = originIn;
		this.originOut = originOut;
		this.done = done;
		this.logPrefix = logPrefix;
		this.hold = new WebSocketHold(queueCapacity, () -> {
			// refresh asks a WebSocket-over-HTTP origin; a WebSocket origin has nothing to be asked
		});
		this.messages = new OriginMessageHandler(this.hold, registry, timer, this::detach, logPrefix);
		if (grip) {
			this.messages.enableGrip();
		}
		this.toOrigin = Sinks.many().unicast().onBackpressureBuffer(Queues.<WebSocketFrame>get(queueCapacity).get());
	}

	@Override
	public WebSocketHold hold() {
		return this.hold;
	}

	@Override
	public void start(Runnable drop) {
		this.drop = drop;
		this.started.tryEmitEmpty();
	}

	/**
	 * The origin connection's life, for its handler to return: client frames to the origin, the origin's frames and
	 * close status to the client, a close frame when asked. Ends (and the connection with it) when {@code done}
	 * completes; a connection that ends first cancels it all.
	 */
	Mono<Void> relay() {
		Mono<Void> toOrigin = this.originOut.sendObject(this.toOrigin.asFlux())
			.then()
			// a write that fails means the origin has gone, which its close status reports
			.onErrorResume(ex -> Mono.empty());
		Mono<Void> fromOrigin = this.originIn.receiveFrames()
			.doOnNext(this::fromOrigin)
			.then()
			.onErrorResume(ex -> Mono.fromRunnable(() -> originGone(null, null)));
		Mono<Void> closeStatus = this.originIn.receiveCloseStatus()
			.doOnNext(status -> originGone(status.code(), status.reasonText()))
			.then();
		Mono<Void> close = this.closing.asMono()
			.flatMap(frame -> this.originOut.sendClose(frame.code(), frame.reason()).onErrorResume(ex -> Mono.empty()))
			.then(Mono.fromRunnable(this::closeOrigin));
		// a close may be asked for before the start (a client refused as one too many)
		Mono<Void> relaying = Mono.when(this.started.asMono().then(Mono.when(toOrigin, fromOrigin, closeStatus)), close);
		return Mono.firstWithSignal(relaying, this.done.asMono());
	}

	private void fromOrigin(WebSocketFrame frame) {
		if (this.detached) {
			return;
		}
		Content content = Content.adopt(ByteBufUtil.getBytes(frame.content()));
		if (frame instanceof TextWebSocketFrame) {
			this.messages.text(content);
		}
		else if (frame instanceof BinaryWebSocketFrame) {
			this.messages.binary(content);
		}
		else if (frame instanceof PingWebSocketFrame) {
			this.hold.offer(OriginMessageHandler.frame(WsMessageType.PING, content));
		}
		else if (frame instanceof PongWebSocketFrame) {
			this.hold.offer(OriginMessageHandler.frame(WsMessageType.PONG, content));
		}
	}

	// the origin closed: so is the client, with the origin's code, unless the origin had detached
	private void originGone(@Nullable Integer code, @Nullable String reason) {
		if (this.originClosed || this.detached) {
			return;
		}
		this.originClosed = true;
		this.hold.offer(WsOverHttpSession.closeFrame(code, reason));
	}

	@Override
	public Mono<Void> fromClient(WsEvent event) {
		if (this.detached || this.originClosed) {
			return Mono.empty();
		}
		WebSocketFrame frame = switch (event.type()) {
			case BINARY -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(event.content().asByteBuffer()));
			case PING -> new PingWebSocketFrame(Unpooled.wrappedBuffer(event.content().asByteBuffer()));
			case PONG -> new PongWebSocketFrame(Unpooled.wrappedBuffer(event.content().asByteBuffer()));
			default -> new TextWebSocketFrame(Unpooled.wrappedBuffer(event.content().asByteBuffer()));
		};
		if (this.toOrigin.tryEmitNext(frame).isFailure()) {
			frame.release();
			logger.info(this.logPrefix + "Dropping a client that outpaces its WebSocket origin");
			this.drop.run();
		}
		return Mono.empty();
	}

	@Override
	public void clientGone(boolean clean, @Nullable Integer code, @Nullable String reason) {
		if (!this.detached && !this.originClosed) {
			this.originClosed = true;
			if (clean) {
				this.closing.tryEmitValue(new CloseFrame((code != null) ? code : 1000, reason));
			}
		}
		this.hold.complete();
		this.toOrigin.tryEmitComplete();
	}

	private void detach() {
		this.detached = true;
		this.closing.tryEmitValue(new CloseFrame(1000, null));
	}

	@Override
	public void end() {
		this.messages.stop();
		this.toOrigin.tryEmitComplete();
		closeOrigin();
	}

	private void closeOrigin() {
		this.done.tryEmitEmpty();
	}

	private record CloseFrame(int code, @Nullable String reason) {
	}

}
