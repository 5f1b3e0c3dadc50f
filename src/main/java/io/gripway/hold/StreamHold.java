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
 */
public final class StreamHold extends Hold {

	private final BoundedSink<Content> sink;

	private final @Nullable KeepAlive keepAlive;

	private final Scheduler timer;

	private @Nullable Disposable keepAliveTask;

	private boolean stopped;

	public StreamHold(List<ChannelSubscription> channels, Map<String, String> meta, @Nullable KeepAlive keepAlive,
			int queueCapacity, Scheduler timer) {
		super(channels, meta);
		this.sink = new BoundedSink<>(queueCapacity);
		this.keepAlive = keepAlive;
		this.timer = timer;
	}

	@Override
	public HoldKind kind() {
		return HoldKind.STREAM;
	}

	/** Everything to append to the stream, in order; completes on a close publish, errors for a slow client. */
	public Flux<Content> content() {
		return this.sink.asFlux().doOnSubscribe(subscription -> scheduleKeepAlive()).doFinally(signal -> {
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
			this.sink.emit(format.content());
		}
		else if (format.action() == Action.CLOSE) {
			this.sink.complete();
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
			this.sink.emit(keepAlive.data());
		}
		scheduleKeepAlive();
	}

}
