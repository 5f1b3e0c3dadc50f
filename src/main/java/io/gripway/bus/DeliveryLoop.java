package io.gripway.bus;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Hands decoded bus messages from the Redis I/O thread to one dedicated thread that calls the {@link BusReceiver}, in
 * the order they arrived. The I/O thread only enqueues, so a slow receiver cannot stall reading from Redis (which would
 * make Redis disconnect this node as a slow pub/sub consumer).
 *
 * <h3>Back-pressure</h3> The queue is bounded. When it is full the message is dropped, counted in
 * {@link #dropped()} and logged (the first time and every {@value #LOG_EVERY}th): dropping one message is better than
 * buffering without bound or blocking the I/O thread.
 *
 * <h3>Thread safety</h3> {@link #offer} may be called from any thread; the receiver is called from the delivery thread
 * only, one message at a time.
 *
 * <h3>Lifecycle</h3> The thread starts in the constructor and ends on {@link #close()}; messages still queued then are
 * discarded.
 */
final class DeliveryLoop implements AutoCloseable {

	static final long LOG_EVERY = 1000;

	private static final Log logger = LogFactory.getLog(DeliveryLoop.class);

	private final BlockingQueue<BusCodec.Message> queue;

	private final BusReceiver receiver;

	private final Thread thread;

	private final AtomicLong dropped = new AtomicLong();

	DeliveryLoop(BusReceiver receiver, int capacity, String threadName) {
		this.queue = new ArrayBlockingQueue<>(capacity);
		this.receiver = receiver;
		this.thread = new Thread(this::run, threadName);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/** Messages waiting for the delivery thread. */
	int pending() {
		return this.queue.size();
	}

	/** Enqueues without blocking; drops and counts the message when the queue is full. */
	void offer(BusCodec.Message message) {
		if (!this.queue.offer(message)) {
			long count = this.dropped.incrementAndGet();
			if (shouldLog(count)) {
				logger.warn("Bus delivery queue full, dropped a message for channel '" + message.item().channel()
						+ "' (" + count + " dropped so far); its connections recover from their origins");
			}
			// not silently: the channel's connections go back to their origins for what they missed
			this.receiver.gap(Set.of(message.item().channel()));
		}
	}

	long dropped() {
		return this.dropped.get();
	}

	/** Logs the first occurrence and every {@value #LOG_EVERY}th, so a flood cannot flood the log too. */
	static boolean shouldLog(long count) {
		return count == 1 || count % LOG_EVERY == 0;
	}

	private void run() {
		while (!Thread.currentThread().isInterrupted()) {
			BusCodec.Message message;
			try {
				message = this.queue.take();
			}
			catch (InterruptedException ex) {
				return;
			}
			try {
				this.receiver.receive(message.item(), message.publishedAtMillis());
			}
			catch (RuntimeException ex) {
				// one failing delivery must not stop the ones after it
				logger.error("Bus receiver failed on channel '" + message.item().channel() + "'", ex);
			}
		}
	}

	@Override
	public void close() {
		this.thread.interrupt();
		try {
			this.thread.join(Duration.ofSeconds(5).toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
