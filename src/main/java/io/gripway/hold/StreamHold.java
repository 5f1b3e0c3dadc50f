package io.gripway.hold;

import java.util.ArrayDeque;
import java.util.ArrayList;
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
import reactor.core.scheduler.Scheduler;

/**
 * A held stream (HTTP streaming or SSE): every {@code http-stream} publish is appended, keep-alive bytes fill the
 * silences, and a {@code close} publish ends it.
 *
 * <h3>Output</h3> Content goes straight from the bus thread to the client's {@link Output} (the socket's writer), with
 * no reactive pipeline per subscriber in between: a publish to ten thousand streams is ten thousand calls. Until the
 * response is ready for it ({@link #attach}), content waits here, in order.
 *
 * <h3>Bounded</h3> At most {@code queueCapacity} items wait for one client, here or in its output. A client that lets
 * them pile up is disconnected (the {@code evict} action): one slow reader must never make the node buffer without
 * limit.
 *
 * <h3>Thread safety</h3> Items come from the bus thread, keep-alives from a timer thread, the end from either or from
 * the drain; this object's monitor serializes them, and is held only to hand an item over, never for I/O.
 *
 * <h3>Lifecycle</h3> {@link #attach} once, when the response can take content; {@link #detach} when the response is
 * over, whichever way, which stops the keep-alive timer. {@link #drain()} ends it like a {@code close} publish, after
 * what is already queued.
 */
public final class StreamHold extends Hold {

	/** Where a stream's content goes: the writer of the client's socket. */
	public interface Output {

		/**
		 * Queues content for the client behind what is already queued; must not block.
		 * @return false when the client already has its fill waiting: the content is not queued
		 */
		boolean write(Content content);

		/** Ends the response cleanly once what is queued has been written. */
		void end();

	}

	/** What waits for the output; keep-alives carry no publish time. */
	private record Queued(Content content, long publishedAtMillis) {
	}

	private static final long NOT_PUBLISHED = -1;

	private final int capacity;

	private final @Nullable KeepAlive keepAlive;

	private final Scheduler timer;

	private final Runnable evict;

	// everything below is guarded by this object's monitor
	private final ArrayDeque<Queued> early = new ArrayDeque<>();

	private @Nullable Output output;

	// no more content: a close, a drain or an overflow; the output ends once it has what came before
	private boolean finished;

	private boolean detached;

	private @Nullable Disposable keepAliveTask;

	private volatile long lastWriteNanos = System.nanoTime();

	/**
	 * @param queueCapacity items that may wait for the client before it is disconnected as too slow
	 * @param evict closes the client's connection, for a client too slow to keep up
	 */
	public StreamHold(List<ChannelSubscription> channels, Map<String, String> meta, @Nullable KeepAlive keepAlive,
			int queueCapacity, Scheduler timer, Runnable evict) {
		super(channels, meta);
		this.capacity = queueCapacity;
		this.keepAlive = keepAlive;
		this.timer = timer;
		this.evict = evict;
	}

	@Override
	public HoldKind kind() {
		return HoldKind.STREAM;
	}

	/** The response can take content now: what waited goes first, then everything as it comes. */
	public void attach(Output output) {
		List<Queued> handed = new ArrayList<>();
		boolean end;
		synchronized (this) {
			if (this.detached || this.output != null) {
				return;
			}
			this.output = output;
			for (Queued queued : this.early) {
				// the output is fresh and the early queue no longer than its capacity: it takes them all
				output.write(queued.content());
				handed.add(queued);
			}
			this.early.clear();
			end = this.finished;
			if (end) {
				output.end();
			}
			else {
				scheduleKeepAlive();
			}
		}
		for (Queued queued : handed) {
			reportDelivered(queued);
		}
	}

	/** The response is over (written out, or the client went away): nothing more is written, timers stop. */
	public synchronized void detach() {
		this.detached = true;
		this.finished = true;
		this.output = null;
		this.early.clear();
		if (this.keepAliveTask != null) {
			this.keepAliveTask.dispose();
		}
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

	private void complete(HoldOutcome outcome) {
		// recorded first: the end may unregister this hold at once; a no-op when it has already ended
		endWith(outcome);
		synchronized (this) {
			if (this.finished) {
				return;
			}
			this.finished = true;
			if (this.output != null) {
				this.output.end();
			}
		}
	}

	private enum Emitted {

		QUEUED, HANDED, OVERFLOW, ENDED

	}

	private void emit(Queued queued) {
		Emitted emitted = offer(queued);
		boolean published = queued.publishedAtMillis() != NOT_PUBLISHED;
		if (emitted == Emitted.HANDED) {
			reportDelivered(queued);
		}
		else if (emitted == Emitted.OVERFLOW) {
			overflowed();
			if (published) {
				dropped(DropReason.QUEUE_OVERFLOW);
			}
			this.evict.run();
		}
		else if (emitted == Emitted.ENDED && published) {
			dropped(DropReason.ENDED);
		}
	}

	private synchronized Emitted offer(Queued queued) {
		if (this.finished) {
			return Emitted.ENDED;
		}
		Emitted emitted;
		Output output = this.output;
		if (output != null) {
			emitted = output.write(queued.content()) ? Emitted.HANDED : Emitted.OVERFLOW;
		}
		else if (this.early.size() < this.capacity) {
			this.early.add(queued);
			emitted = Emitted.QUEUED;
		}
		else {
			emitted = Emitted.OVERFLOW;
		}
		if (emitted == Emitted.OVERFLOW) {
			this.finished = true;
		}
		else {
			this.lastWriteNanos = System.nanoTime();
		}
		return emitted;
	}

	// the latency is taken as an item is handed to the socket's writer
	private void reportDelivered(Queued queued) {
		if (queued.publishedAtMillis() != NOT_PUBLISHED) {
			delivered(queued.publishedAtMillis());
		}
	}

	private synchronized void scheduleKeepAlive() {
		if (this.keepAlive == null || this.finished) {
			return;
		}
		long timeoutNanos = this.keepAlive.timeout().toNanos();
		long delayNanos = timeoutNanos;
		if (this.keepAlive.mode() == KeepAliveMode.IDLE) {
			// in idle mode every write restarts the silence, so wait out what is left of it
			long sinceWrite = System.nanoTime() - this.lastWriteNanos;
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
				|| System.nanoTime() - this.lastWriteNanos >= keepAlive.timeout().toNanos();
		if (quiet) {
			emit(new Queued(keepAlive.data(), NOT_PUBLISHED));
		}
		scheduleKeepAlive();
	}

}
