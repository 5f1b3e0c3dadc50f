package io.gripway.websocket;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.gripway.hold.HoldRegistry;
import io.gripway.hold.SlowConsumerException;
import io.gripway.hold.WebSocketHold;
import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.WsMessageFormat;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * The client's side of one WebSocket, once its handshake is done: client frames go to the {@link ClientSession}, and
 * the hold's frames (published, or from the origin) go to the client.
 *
 * <p>
 * Client pings are answered by Reactor Netty and not passed on; pongs are. A fragmented client message reaches the
 * origin as one event per fragment.
 *
 * <h3>Thread safety</h3> One instance per connection; client frames arrive on its event loop, the hold's frames
 * are written from whichever thread queued them, through Reactor.
 *
 * <h3>Lifecycle</h3> Registers the hold when the WebSocket opens, and unregisters it in a single {@code doFinally}
 * that covers every end: client close, client gone, origin CLOSE or DISCONNECT, a publish close, a slow client.
 */
final class ClientWebSocketHandler implements WebSocketHandler {

	private static final Log logger = LogFactory.getLog(ClientWebSocketHandler.class);

	/** Closes a client whose frame queue filled; counted by {@link #slowClientCloses}. */
	static final CloseStatus TOO_SLOW = new CloseStatus(1008, "client too slow");

	static final CloseStatus TOO_MANY = new CloseStatus(1013, "too many connections");

	// after the client's close frame the status is already known; this only bounds a broken connection
	private static final Duration CLOSE_STATUS_WAIT = Duration.ofSeconds(5);

	private final ClientSession session;

	private final HoldRegistry registry;

	private final List<String> subProtocols;

	private final Runnable drop;

	private final AtomicLong slowClientCloses;

	/**
	 * @param subProtocols the protocol the origin chose ({@code Sec-WebSocket-Protocol}), if any, for the handshake
	 * @param drop closes the client's connection without a close frame
	 * @param slowClientCloses counts clients closed as too slow
	 */
	ClientWebSocketHandler(ClientSession session, HoldRegistry registry, List<String> subProtocols, Runnable drop,
			AtomicLong slowClientCloses) {
		this.session = session;
		this.registry = registry;
		this.subProtocols = List.copyOf(subProtocols);
		this.drop = drop;
		this.slowClientCloses = slowClientCloses;
	}

	/** Ends the session when the client's handshake failed and {@link #handle} never ran. */
	void end() {
		this.session.end();
	}

	@Override
	public List<String> getSubProtocols() {
		return this.subProtocols;
	}

	@Override
	public Mono<Void> handle(WebSocketSession ws) {
		WebSocketHold hold = this.session.hold();
		if (!this.registry.register(hold)) {
			this.session.clientGone(true, TOO_MANY.getCode(), TOO_MANY.getReason());
			this.session.end();
			return ws.close(TOO_MANY);
		}
		this.session.start(this.drop);
		// one message at a time: a session that cannot take more stops the reading, and TCP slows the client down
		Mono<Void> inbound = ws.receive()
			.concatMap(message -> this.session.fromClient(event(message)), 0)
			.then()
			.onErrorResume(ex -> Mono.empty())
			.then(ws.closeStatus().timeout(CLOSE_STATUS_WAIT, Mono.empty()).defaultIfEmpty(CloseStatus.NO_CLOSE_FRAME))
			.doOnNext(status -> clientGone(status))
			.then();
		AtomicReference<CloseStatus> closeWith = new AtomicReference<>();
		Flux<WebSocketMessage> messages = hold.frames()
			.onErrorResume(SlowConsumerException.class, ex -> {
				this.slowClientCloses.incrementAndGet();
				logger.info(ws.getId() + " Closing a slow WebSocket client: " + ex.getMessage());
				return Flux.just(WsOverHttpSession.closeFrame(TOO_SLOW.getCode(), TOO_SLOW.getReason()));
			})
			.takeUntil(frame -> frame.action() == Action.CLOSE)
			.handle((frame, sink) -> {
				if (frame.action() == Action.CLOSE) {
					closeWith.set(closeStatus(frame));
				}
				else {
					sink.next(message(ws, frame));
				}
			});
		Mono<Void> outbound = ws.send(messages)
			.then(Mono.defer(() -> (closeWith.get() != null) ? ws.close(closeWith.get()) : Mono.empty()))
			// a write that fails means the client has gone, which the inbound side reports
			.onErrorResume(ex -> Mono.empty());
		return Mono.when(inbound, outbound).doFinally(signal -> {
			this.session.end();
			this.registry.unregister(hold);
		});
	}

	private void clientGone(CloseStatus status) {
		int code = status.getCode();
		// 1006: no close frame (reactor-netty's report of a vanished client); 1005: a close frame without status
		if (code == CloseStatus.NO_CLOSE_FRAME.getCode() || code < 1000) {
			this.session.clientGone(false, null, null);
		}
		else if (code == CloseStatus.NO_STATUS_CODE.getCode()) {
			this.session.clientGone(true, null, null);
		}
		else {
			this.session.clientGone(true, code, status.getReason());
		}
	}

	private static WsEvent event(WebSocketMessage message) {
		DataBuffer payload = message.getPayload();
		byte[] bytes = new byte[payload.readableByteCount()];
		payload.read(bytes);
		WsEvent.Type type;
		switch (message.getType()) {
			case BINARY:
				type = WsEvent.Type.BINARY;
				break;
			case PING:
				type = WsEvent.Type.PING;
				break;
			case PONG:
				type = WsEvent.Type.PONG;
				break;
			default:
				type = WsEvent.Type.TEXT;
		}
		return new WsEvent(type, Content.adopt(bytes));
	}

	// the payload is wrapped, not copied: every subscriber of a publish shares the same bytes
	private static WebSocketMessage message(WebSocketSession ws, WsMessageFormat frame) {
		// shared direct bytes: no copy per subscriber on the way to the socket
		DataBuffer payload = ws.bufferFactory().wrap(frame.content().directBuffer());
		switch (frame.type()) {
			case BINARY:
				return new WebSocketMessage(WebSocketMessage.Type.BINARY, payload);
			case PING:
				return new WebSocketMessage(WebSocketMessage.Type.PING, payload);
			case PONG:
				return new WebSocketMessage(WebSocketMessage.Type.PONG, payload);
			default:
				return new WebSocketMessage(WebSocketMessage.Type.TEXT, payload);
		}
	}

	private static CloseStatus closeStatus(WsMessageFormat frame) {
		Integer code = frame.closeCode();
		// a close frame carries 1000-4999 only; anything else closes normally
		if (code == null || code < 1000 || code > 4999 || code == 1005 || code == 1006 || code == 1015) {
			return CloseStatus.NORMAL;
		}
		String reason = frame.closeReason();
		return new CloseStatus(code, (reason != null && !reason.isEmpty()) ? reason : null);
	}

}
