package io.gripway.bus;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.gripway.publish.PublishItem;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The one delivery thread of a bus, used by both buses: it takes work from a bounded queue and calls the
 * {@link BusReceiver}, in the order the work arrived. Whoever enqueues (an event loop, the Redis I/O thread) only
 * enqueues, so a slow receiver cannot stall it (the Redis bus would otherwise be disconnected by Redis as a slow pub/sub
 * consumer).
 *
 * <h3>Survives its receiver</h3> Whatever a delivery throws, {@link Error}s included (a {@code StackOverflowError} in
 * a deep template, an {@code AssertionError}), is logged and counted in {@link #failures()}, and the next item is
 * delivered: one bad item must not stop delivery for the whole node. Should the thread end anyway (an error while
 * logging the failure, say), it is replaced and counted in {@link #restarts()}. {@link #isRunning()} is what the bus
 * health reports, so a node whose delivery thread is gone is DOWN instead of UP and silently deaf.
 *
 * <h3>Back-pressure</h3> The queue is bounded and each bus picks what a full queue means: {@link #offer(BusCodec.Message)}
 * (Redis) drops the message, counts it in {@link #dropped()}, logs it (the first time and every {@value #LOG_EVERY}th)
 * and reports a {@linkplain BusReceiver#gap gap} for its channel, as dropping one message beats blocking the I/O
 * thread; {@link #offer(List, long, Runnable)} (in-memory) returns {@code false} so the publisher can be told (503).
 *
 * <h3>Thread safety</h3> The {@code offer} methods may be called from any thread; the receiver is called from the
 * delivery thread only, one item at a time.
 *
 * <h3>Lifecycle</h3> The thread starts in the constructor. {@link #close()} refuses later offers, lets the thread
 * deliver what was already accepted (waiting up to 5 s for it) and ends the thread.
 */
final class DeliveryLoop implements AutoCloseable {

	static final long LOG_EVERY = 1000;

	private static final Log logger = LogFactory.getLog(DeliveryLoop.class);

	private final BlockingQueue<Work> queue;

	private final BusReceiver receiver;

	private final String threadName;

	private final AtomicLong dropped = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final AtomicLong restarts = new AtomicLong();

	private volatile Thread thread;

	private volatile boolean closed;

	DeliveryLoop(BusReceiver receiver, int capacity, String threadName) {
		this.queue = new ArrayBlockingQueue<>(capacity);
		this.receiver = receiver;
		this.threadName = threadName;
		this.thread = startThread();
	}

	/** Work waiting for the delivery thread. */
	int pending() {
		return this.queue.size();
	}

	/**
	 * Enqueues a message received from a clustered bus without blocking; when the queue is full, drops and counts it,
	 * and reports a gap on its channel.
	 */
	void offer(BusCodec.Message message) {
		if (this.closed || !this.queue.offer(new Work(List.of(message.item()), message.publishedAtMillis(), null))) {
			long count = this.dropped.incrementAndGet();
			if (shouldLog(count)) {
				logger.warn("Bus delivery queue full, dropped a message for channel '" + message.item().channel()
						+ "' (" + count + " dropped so far); its connections recover from their origins");
			}
			// not silently: the channel's connections go back to their origins for what they missed
			this.receiver.gap(Set.of(message.item().channel()));
		}
	}

	/**
	 * Enqueues a publish batch without blocking, to be delivered in order and then to run {@code delivered} (also when
	 * the receiver failed on some item). Returns {@code false}, and runs nothing, when the queue is full or closed.
	 */
	boolean offer(List<PublishItem> items, long publishedAtMillis, Runnable delivered) {
		return !this.closed && this.queue.offer(new Work(items, publishedAtMillis, delivered));
	}

	/** Messages dropped because the queue was full. */
	long dropped() {
		return this.dropped.get();
	}

	/** Deliveries that threw, and were skipped. */
	long failures() {
		return this.failures.get();
	}

	/** Times the delivery thread ended unexpectedly and was replaced. */
	long restarts() {
		return this.restarts.get();
	}

	/** Whether a delivery thread is there to take work: false once closed, or if it could not be replaced. */
	boolean isRunning() {
		return !this.closed && this.thread.isAlive();
	}

	/** Logs the first occurrence and every {@value #LOG_EVERY}th, so a flood cannot flood the log too. */
	static boolean shouldLog(long count) {
		return count == 1 || count % LOG_EVERY == 0;
	}

	private Thread startThread() {
		Thread thread = new Thread(this::run, this.threadName);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private void run() {
		boolean ended = false;
		try {
			while (!this.closed) {
				try {
					deliver(this.queue.take());
				}
				catch (InterruptedException ex) {
					// close() wakes the thread; the loop condition decides
				}
			}
			// what was accepted before close is delivered, so no publisher waits for ever
			for (Work rest = this.queue.poll(); rest != null; rest = this.queue.poll()) {
				deliver(rest);
			}
			ended = true;
		}
		finally {
			if (!ended && !this.closed) {
				// something escaped the per-item guard: a thread that stays dead would leave the node deaf
				this.restarts.incrementAndGet();
				logger.error("Bus delivery thread ended unexpectedly; starting a new one");
				this.thread = startThread();
			}
		}
	}

	private void deliver(Work work) {
		try {
			for (PublishItem item : work.items()) {
				try {
					this.receiver.receive(item, work.publishedAtMillis());
				}
				catch (Throwable ex) {
					// one failing delivery must not stop the ones after it, not even on an Error
					this.failures.incrementAndGet();
					logger.error("Bus receiver failed on channel '" + item.channel() + "'; delivery goes on", ex);
				}
			}
		}
		finally {
			if (work.delivered() != null) {
				work.delivered().run();
			}
		}
	}

	@Override
	public void close() {
		this.closed = true;
		Thread thread = this.thread;
		thread.interrupt();
		try {
			thread.join(Duration.ofSeconds(5).toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Items to deliver in order, then the hand-off callback of an in-memory publish (none for Redis). */
	private record Work(List<PublishItem> items, long publishedAtMillis, @Nullable Runnable delivered) {
	}

}
