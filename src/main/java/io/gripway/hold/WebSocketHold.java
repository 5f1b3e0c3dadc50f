package io.gripway.hold;

import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.Action;
import io.gripway.publish.PublishItem;
import io.gripway.publish.WsMessageFormat;
import io.gripway.publish.WsMessageType;
import reactor.core.publisher.Flux;

/**
 * A client WebSocket: starts with no channels, and its session subscribes and unsubscribes it through
 * {@link HoldRegistry#subscribe} as the origin asks. Every frame for the client, published ({@code ws-message}) or
 * from the origin, goes through {@link #offer} into one queue, so the client sees them in the order they arrived.
 *
 * <h3>Bounded queue</h3> Frames wait in a {@link BoundedSink} of {@code queueCapacity} between their producers and the
 * client's socket. A client that lets it fill gets {@link SlowConsumerException} from {@link #frames()} (its session
 * closes it): one slow reader must never make the node buffer without limit. The frames' payloads are shared with
 * every other subscriber, never copied.
 *
 * <h3>Thread safety</h3> Frames come from the bus thread, the origin's replies and timers; the sink serializes
 * emission. {@code refresh} runs on the bus thread and must not block.
 *
 * <h3>Lifecycle</h3> {@link #frames()} is subscribed once; {@link #complete()} ends it after the frames queued so far.
 */
public final class WebSocketHold extends Hold {

	private final BoundedSink<WsMessageFormat> sink;

	private final Runnable refresh;

	/** @param refresh what a {@code refresh} publish does: ask the origin about this connection now */
	public WebSocketHold(int queueCapacity, Runnable refresh) {
		super(List.of(), Map.of());
		this.sink = new BoundedSink<>(queueCapacity);
		this.refresh = refresh;
	}

	@Override
	public Transport kind() {
		return Transport.WEBSOCKET;
	}

	/** The frames for the client, in order: sends, then at most one close; errors for a slow client. */
	public Flux<WsMessageFormat> frames() {
		return this.sink.asFlux();
	}

	/** Queues a frame (send or close) for the client; never blocks. */
	public void offer(WsMessageFormat frame) {
		enqueue(frame);
	}

	private boolean enqueue(WsMessageFormat frame) {
		BoundedSink.Emitted emitted = this.sink.emit(frame);
		if (emitted == BoundedSink.Emitted.OVERFLOW) {
			overflowed();
			dropped(DropReason.QUEUE_OVERFLOW);
		}
		else if (emitted == BoundedSink.Emitted.ENDED) {
			dropped(DropReason.ENDED);
		}
		return emitted == BoundedSink.Emitted.QUEUED;
	}

	/** Ends {@link #frames()} once what is queued has gone. */
	public void complete() {
		this.sink.complete();
	}

	/** Closes the client with 1012 "service restart" after what is queued, so it reconnects to another node. */
	@Override
	public void drain() {
		endWith(HoldOutcome.DRAINED);
		enqueue(new WsMessageFormat(Action.CLOSE, WsMessageType.TEXT, Content.EMPTY, WEBSOCKET_SERVICE_RESTART,
				"service restart", null));
		complete();
	}

	/** When the last frame was queued, in {@link System#nanoTime()} terms; for idle keep-alives. */
	public long lastFrameNanos() {
		return this.sink.lastEmitNanos();
	}

	@Override
	protected void deliver(PublishItem item, ChannelSubscription subscription, long publishedAtMillis) {
		WsMessageFormat format = item.wsMessage();
		if (format == null) {
			return;
		}
		if (format.action() == Action.REFRESH) {
			this.refresh.run();
		}
		else if (format.action() == Action.SEND) {
			// WebSockets follow no prev-ids (as in Pushpin): build-id renders empty ids, var-subst works as anywhere
			Content content = filtered(subscription, format.contentFilters(), format.content(), Map.of());
			if (content == null) {
				return;
			}
			WsMessageFormat frame = (content == format.content()) ? format
					: new WsMessageFormat(format.action(), format.type(), content, format.closeCode(),
							format.closeReason(), format.contentFilters());
			// a frame is handed to the client's socket as soon as it is queued, unless the client is slow, in
			// which case the queue overflows and the client is closed
			if (enqueue(frame)) {
				delivered(publishedAtMillis);
			}
		}
		else if (format.action() == Action.CLOSE) {
			endWith(HoldOutcome.CLOSED);
			enqueue(format);
		}
		// hint means nothing to a WebSocket (Pushpin ignores it too)
	}

}
