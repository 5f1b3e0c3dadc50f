package io.gripway.hold;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.instruct.KeepAlive;
import io.gripway.instruct.KeepAliveMode;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * A held stream (HTTP streaming or SSE): every {@code http-stream} publish is appended, keep-alive bytes fill the
 * silences, and a {@code close} publish ends it.
 *
 * <h3>Bounded queue</h3> Content waits in a {@link BoundedSink} of {@code queueCapacity} items between the bus thread
 * and the client's socket. A client that lets it fill is disconnected with {@link SlowConsumerException}: one slow
 * reader must never make the node buffer without limit.
 *
 * <h3>Thread safety</h3> Items come from the bus thread, keep-alives from a timer thread; the sink serializes
 * emission. The keep-alive timer's state is guarded by this object's monitor.
 *
 * <h3>Lifecycle</h3> {@link #content()} is subscribed once; cancelling it (client gone) stops the keep-alive timer.
 * {@link #drain()} completes it like a {@code close} publish, after what is already queued.
 */
public final class StreamHold extends Hold {

	/** What waits for the client's socket; keep-alives carry no publish time. */
	private record Queued(Content content, long publishedAtMillis) {
	}

	private static final long NOT_PUBLISHED = -1;

	private final BoundedSink<Queued> sink;

	private final @Nullable KeepAlive keepAlive;

	private final Scheduler timer;

	private final Runnable evict;

	private @Nullable Disposable keepAliveTask;

	private boolean stopped;

	/**
	 * @param evict closes the client's connection, for a client too slow to keep its queue from filling
	 */
	public StreamHold(List<ChannelSubscription> channels, Map<String, String> meta, @Nullable KeepAlive keepAlive,
			int queueCapacity, Scheduler timer, Runnable evict) {
		super(channels, meta);
		this.sink = new BoundedSink<>(queueCapacity);
		this.keepAlive = keepAlive;
		this.timer = timer;
		this.evict = evict;
	}

	@Override
	public HoldKind kind() {
		return HoldKind.STREAM;
	}

	/** Everything to append to the stream, in order; completes on a close publish, errors for a slow client. */
	public Flux<Content> content() {
		// an item leaves the queue when the writer asks for it, so the latency is taken as it is handed to the socket
		return this.sink.asFlux().doOnNext(queued -> {
			if (queued.publishedAtMillis() != NOT_PUBLISHED) {
				delivered(queued.publishedAtMillis());
			}
		}).map(Queued::content).doOnSubscribe(subscription -> scheduleKeepAlive()).doFinally(signal -> {
			synchronized (this) {
				this.stopped = true;
				if (this.keepAliveTask != null) {
					this.keepAliveTask.dispose();
				}
			}
		});
	}

	@Override
	protected void deliver(PublishItem item, long publishedAtMillis) {
		HttpStreamFormat format = item.httpStream();
		if (format == null) {
			return;
		}
		if (format.action() == Action.SEND) {
			emit(new Queued(format.content(), publishedAtMillis));
		}
		else if (format.action() == Action.CLOSE) {
			complete(HoldOutcome.CLOSED);
		}
	}

	/** Ends the chunked body cleanly after what is already queued, as a {@code close} publish does. */
	@Override
	public void drain() {
		complete(HoldOutcome.DRAINED);
	}

	private synchronized void complete(HoldOutcome outcome) {
		// recorded first: completion may unregister this hold synchronously; a no-op when it has already ended
		endWith(outcome);
		this.sink.complete();
	}

	private void emit(Queued queued) {
		BoundedSink.Emitted emitted = this.sink.emit(queued);
		boolean published = queued.publishedAtMillis() != NOT_PUBLISHED;
		if (emitted == BoundedSink.Emitted.OVERFLOW) {
			overflowed();
			if (published) {
				dropped(DropReason.QUEUE_OVERFLOW);
			}
			// the error alone cannot reach a response whose write is stuck on the client's full socket
			this.evict.run();
		}
		else if (emitted == BoundedSink.Emitted.ENDED && published) {
			dropped(DropReason.ENDED);
		}
	}

	private synchronized void scheduleKeepAlive() {
		if (this.keepAlive == null || this.stopped) {
			return;
		}
		long timeoutNanos = this.keepAlive.timeout().toNanos();
		long delayNanos = timeoutNanos;
		if (this.keepAlive.mode() == KeepAliveMode.IDLE) {
			// in idle mode every write restarts the silence, so wait out what is left of it
			long sinceWrite = System.nanoTime() - this.sink.lastEmitNanos();
			delayNanos = Math.max(0, timeoutNanos - sinceWrite);
		}
		this.keepAliveTask = this.timer.schedule(this::keepAliveDue, delayNanos, TimeUnit.NANOSECONDS);
	}

	private void keepAliveDue() {
		KeepAlive keepAlive = this.keepAlive;
		if (keepAlive == null) {
			return;
		}
		boolean quiet = keepAlive.mode() == KeepAliveMode.INTERVAL
				|| System.nanoTime() - this.sink.lastEmitNanos() >= keepAlive.timeout().toNanos();
		if (quiet) {
			emit(new Queued(keepAlive.data(), NOT_PUBLISHED));
		}
		scheduleKeepAlive();
	}

}
