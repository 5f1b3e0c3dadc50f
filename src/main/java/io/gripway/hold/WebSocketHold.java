package io.gripway.hold;

import java.util.List;
import java.util.Map;

import io.gripway.publish.Action;
import io.gripway.publish.PublishItem;
import io.gripway.publish.WsMessageFormat;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * A client WebSocket: starts with no channels, and its session subscribes and unsubscribes it through
 * {@link HoldRegistry#subscribe} as the origin asks. Every frame for the client, published ({@code ws-message}) or
 * from the origin, goes through {@link #offer} into one queue, so the client sees them in the order they arrived.
 *
 * <h3>Bounded queue</h3> Frames wait in a queue of {@code queueCapacity} between their producers and the client's
 * socket. A client that lets it fill gets {@link SlowConsumerException} from {@link #frames()} (its session closes it):
 * one slow reader must never make the node buffer without limit. The frames' payloads are shared with every other
 * subscriber, never copied.
 *
 * <h3>Thread safety</h3> Frames come from the bus thread, the origin's replies and timers; emission is serialized by
 * this object's monitor, held only for the emission itself. {@code refresh} runs on the bus thread and must not block.
 *
 * <h3>Lifecycle</h3> {@link #frames()} is subscribed once; {@link #complete()} ends it after the frames queued so far.
 */
public final class WebSocketHold extends Hold {

	private final Sinks.Many<WsMessageFormat> sink;

	private final int queueCapacity;

	private final Runnable refresh;

	private volatile long lastFrameNanos = System.nanoTime();

	/** @param refresh what a {@code refresh} publish does: ask the origin about this connection now */
	public WebSocketHold(int queueCapacity, Runnable refresh) {
		super(List.of(), Map.of());
		this.queueCapacity = queueCapacity;
		this.sink = Sinks.many().unicast().onBackpressureBuffer(Queues.<WsMessageFormat>get(queueCapacity).get());
		this.refresh = refresh;
	}

	@Override
	public HoldKind kind() {
		return HoldKind.WEBSOCKET;
	}

	/** The frames for the client, in order: sends, then at most one close; errors for a slow client. */
	public Flux<WsMessageFormat> frames() {
		return this.sink.asFlux();
	}

	/** Queues a frame (send or close) for the client; never blocks. */
	public synchronized void offer(WsMessageFormat frame) {
		Sinks.EmitResult result = this.sink.tryEmitNext(frame);
		// before the socket subscribes, a full queue reports FAIL_ZERO_SUBSCRIBER: an overflow all the same
		if (result == Sinks.EmitResult.FAIL_OVERFLOW || result == Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER) {
			this.sink.tryEmitError(new SlowConsumerException(this.queueCapacity));
		}
		else if (result.isSuccess()) {
			this.lastFrameNanos = System.nanoTime();
		}
	}

	/** Ends {@link #frames()} once what is queued has gone. */
	public synchronized void complete() {
		this.sink.tryEmitComplete();
	}

	/** When the last frame was queued, in {@link System#nanoTime()} terms; for idle keep-alives. */
	public long lastFrameNanos() {
		return this.lastFrameNanos;
	}

	@Override
	protected void deliver(PublishItem item, long publishedAtMillis) {
		WsMessageFormat format = item.wsMessage();
		if (format == null) {
			return;
		}
		if (format.action() == Action.REFRESH) {
			this.refresh.run();
		}
		else if (format.action() == Action.SEND || format.action() == Action.CLOSE) {
			offer(format);
		}
		// hint means nothing to a WebSocket (Pushpin ignores it too)
	}

}
