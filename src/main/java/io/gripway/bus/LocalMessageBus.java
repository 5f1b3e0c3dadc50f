package io.gripway.bus;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.gripway.publish.PublishItem;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The single-node bus: publishes are handed to one delivery thread in this process.
 *
 * <h3>Why a thread of its own</h3> Publish requests arrive on several event loops; one delivery thread gives every
 * channel a single publish order and lets the registry call each hold from one thread at a time. The publish request
 * completes once its items have been handed to every held connection of this node (Pushpin answers before
 * delivering), which is what slows a publisher down when it outruns delivery.
 *
 * <h3>Bounded</h3> At most {@code queueCapacity} publish batches wait for the delivery thread; beyond that a publish is
 * refused with {@link BusUnavailableException} (503) instead of growing the heap.
 *
 * <h3>Lifecycle</h3> {@link #close()} stops the delivery thread after the queued batches.
 */
final class LocalMessageBus implements MessageBus, BusStats, AutoCloseable {

	private final ThreadPoolExecutor delivery;

	private final LongAdder received = new LongAdder();

	private volatile @Nullable BusReceiver receiver;

	LocalMessageBus(int queueCapacity) {
		this.delivery = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueCapacity),
				runnable -> {
					Thread thread = new Thread(runnable, "gripway-delivery");
					thread.setDaemon(true);
					return thread;
				});
	}

	@Override
	public Mono<Void> publish(List<PublishItem> items) {
		// completes once the items are handed to this node's held connections, not merely queued: a publisher that
		// outruns delivery is slowed down by its own pending requests instead of building a backlog of seconds
		return Mono.create(done -> {
			BusReceiver target = this.receiver;
			if (target == null) {
				done.error(new BusUnavailableException("the bus is not started"));
				return;
			}
			long publishedAt = System.currentTimeMillis();
			try {
				this.delivery.execute(() -> {
					this.received.add(items.size());
					try {
						for (PublishItem item : items) {
							target.receive(item, publishedAt);
						}
					}
					finally {
						done.success();
					}
				});
			}
			catch (RejectedExecutionException ex) {
				done.error(new BusUnavailableException("delivery queue is full", ex));
			}
		});
	}

	@Override
	public void start(BusReceiver receiver) {
		this.receiver = receiver;
	}

	@Override
	public void subscribe(String channel) {
		// every publish passes through this process anyway
	}

	@Override
	public void unsubscribe(String channel) {
	}

	@Override
	public boolean isAvailable() {
		return !this.delivery.isShutdown();
	}

	@Override
	public long receivedCount() {
		return this.received.sum();
	}

	@Override
	public long pendingDeliveries() {
		return this.delivery.getQueue().size();
	}

	@Override
	public void close() {
		this.delivery.shutdown();
	}

}
