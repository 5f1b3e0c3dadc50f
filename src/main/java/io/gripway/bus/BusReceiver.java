package io.gripway.bus;

import io.gripway.publish.PublishItem;

/** Where a node's bus hands each received item: the node's registry of held connections. */
@FunctionalInterface
public interface BusReceiver {

	/**
	 * Delivers one item to this node's subscribers. Called from one thread at a time, in publish order per channel.
	 * @param item the item
	 * @param publishedAtMillis epoch millis when the publish API accepted it on whichever node received it
	 */
	void receive(PublishItem item, long publishedAtMillis);

}
