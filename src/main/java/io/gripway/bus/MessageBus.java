package io.gripway.bus;

import java.util.List;

import io.gripway.history.ChannelHistory;
import io.gripway.history.HistorySettings;
import io.gripway.history.MemoryHistory;
import io.gripway.publish.PublishItem;
import reactor.core.publisher.Mono;

/**
 * Relays published items to every Gripway node, this one included. A node delivers only what it receives from the bus,
 * never a local shortcut, so every held connection gets each message exactly once.
 *
 * <h3>Ordering</h3> Items on one channel reach each node's {@link BusReceiver} in the order they were published
 * through one node; the receiver is called from one thread at a time.
 *
 * <h3>Interest</h3> A node tells the bus which channels it holds connections for ({@link #subscribe} when the first
 * subscriber arrives, {@link #unsubscribe} when the last one leaves), so a clustered bus can route only those
 * channels to it. Both calls return at once and never block.
 */
public interface MessageBus {

	/**
	 * Relays the items in order. Completes once the bus has accepted all of them for every node; fails with
	 * {@link BusUnavailableException} when it cannot, in which case none or only some were relayed and the publisher
	 * must be told.
	 */
	Mono<Void> publish(List<PublishItem> items);

	/** Sets the one receiver of this node's messages; called once, before any subscribe. */
	void start(BusReceiver receiver);

	/** This node now has at least one subscriber on {@code channel}. */
	void subscribe(String channel);

	/** This node has no subscriber left on {@code channel}. */
	void unsubscribe(String channel);

	/**
	 * Keeps the recent items of the channels {@code settings} names, and returns the history connections catch up
	 * from. The in-memory bus keeps it in this node (the registry records each item as it is delivered); a bus shared
	 * by several nodes keeps it where all of them read it, written with each publish. Called once, before
	 * {@link #start}.
	 */
	default ChannelHistory keepHistory(HistorySettings settings) {
		return new MemoryHistory(settings.channels(), settings.size(), settings.ttl().toNanos(), settings.maxChannels(),
				System::nanoTime);
	}

	/**
	 * Asks every node's receiver to {@linkplain BusReceiver#recover recover}, this one included; never blocks. A bus
	 * that cannot reach the other nodes now recovers this node at least.
	 */
	void recover();

	/** Whether publishes can be relayed now (for health and readiness). */
	boolean isAvailable();

}
