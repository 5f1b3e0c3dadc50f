package io.gripway.bus;

import java.util.Set;

import io.gripway.publish.PublishItem;
import org.jspecify.annotations.Nullable;

/** Where a node's bus hands each received item: the node's registry of held connections. */
@FunctionalInterface
public interface BusReceiver {

	/**
	 * Delivers one item to this node's subscribers. Called from one thread at a time, in publish order per channel.
	 * @param item the item
	 * @param publishedAtMillis epoch millis when the publish API accepted it on whichever node received it
	 */
	void receive(PublishItem item, long publishedAtMillis);

	/**
	 * This node may have missed items on {@code channels}, or on any channel when {@code null}: its subscription to
	 * the bus dropped and came back, its delivery queue overflowed, or a message could not be read. The receiver
	 * recovers what it can (GRIP next links and retries) instead of losing it silently. May be called from any thread.
	 */
	default void gap(@Nullable Set<String> channels) {
	}

	/**
	 * {@code POST /recover} was asked of some node: forget what is known of every channel's order and send every held
	 * connection that can back to its origin. May be called from any thread.
	 */
	default void recover() {
	}

}
