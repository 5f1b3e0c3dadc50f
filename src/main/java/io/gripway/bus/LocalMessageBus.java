package io.gripway.bus;

import java.util.List;
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
 * delivering), which is what slows a publisher down when it outruns delivery. The thread is a {@link DeliveryLoop},
 * as the Redis bus's is: it survives whatever the receiver throws and reports whether it runs.
 *
 * <h3>Bounded</h3> At most {@code queueCapacity} publish batches wait for the delivery thread; beyond that a publish is
 * refused with {@link BusUnavailableException} (503) instead of growing the heap.
 *
 * <h3>Lifecycle</h3> {@link #start} starts the delivery thread; {@link #close()} stops it after the queued batches.
 */
final class LocalMessageBus implements MessageBus, BusStats, AutoCloseable {

	private final int queueCapacity;

	private final LongAdder received = new LongAdder();

	private volatile @Nullable DeliveryLoop delivery;

	private volatile @Nullable BusReceiver receiver;

	private volatile boolean closed;

	LocalMessageBus(int queueCapacity) {
		this.queueCapacity = queueCapacity;
	}

	@Override
	public Mono<Void> publish(List<PublishItem> items) {
		// completes once the items are handed to this node's held connections, not merely queued: a publisher that
		// outruns delivery is slowed down by its own pending requests instead of building a backlog of seconds
		return Mono.create(done -> {
			DeliveryLoop target = this.delivery;
			if (target == null || this.closed) {
				done.error(new BusUnavailableException("the bus is not started"));
				return;
			}
			if (target.offer(items, System.currentTimeMillis(), done::success)) {
				this.received.add(items.size());
			}
			else {
				done.error(new BusUnavailableException("delivery queue is full"));
			}
		});
	}

	/** One node: its own receiver is every node's. */
	@Override
	public void recover() {
		BusReceiver target = this.receiver;
		if (target != null) {
			target.recover();
		}
	}

	@Override
	public synchronized void start(BusReceiver receiver) {
		if (this.delivery != null) {
			throw new IllegalStateException("already started");
		}
		this.receiver = receiver;
		this.delivery = new DeliveryLoop(receiver, this.queueCapacity, "gripway-delivery");
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
		DeliveryLoop delivery = this.delivery;
		return !this.closed && (delivery == null || delivery.isRunning());
	}

	@Override
	public boolean isDeliveryStopped() {
		DeliveryLoop delivery = this.delivery;
		return !this.closed && delivery != null && !delivery.isRunning();
	}

	@Override
	public long receivedCount() {
		return this.received.sum();
	}

	@Override
	public long pendingDeliveries() {
		DeliveryLoop delivery = this.delivery;
		return (delivery != null) ? delivery.pending() : 0;
	}

	@Override
	public long deliveryFailureCount() {
		DeliveryLoop delivery = this.delivery;
		return (delivery != null) ? delivery.failures() : 0;
	}

	@Override
	public long deliveryRestartCount() {
		DeliveryLoop delivery = this.delivery;
		return (delivery != null) ? delivery.restarts() : 0;
	}

	@Override
	public void close() {
		this.closed = true;
		DeliveryLoop delivery = this.delivery;
		if (delivery != null) {
			delivery.close();
		}
	}

}
