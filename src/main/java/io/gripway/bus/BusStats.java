package io.gripway.bus;

/**
 * Counters a {@link MessageBus} may expose for metrics and health, by also implementing this interface. Every method
 * has a default of zero, so a bus implements only what it tracks; counts are cumulative since the bus was created.
 *
 * <h3>Thread safety</h3> Read at any time from the metrics scraper's thread: implementations return plain reads of
 * atomic or volatile fields, never block, never throw.
 */
public interface BusStats {

	/** Items received from the bus for delivery on this node. */
	default long receivedCount() {
		return 0;
	}

	/** Bus messages that could not be decoded and were dropped. */
	default long malformedCount() {
		return 0;
	}

	/** Items the bus itself lost or discarded (a full hand-off queue, a gap while reconnecting). */
	default long droppedCount() {
		return 0;
	}

	/** Times the bus lost its connection and reconnected. */
	default long reconnectCount() {
		return 0;
	}

	/** Times this node told its receiver it may have missed items (see {@link BusReceiver#gap}). */
	default long gapCount() {
		return 0;
	}

	/** Channels this node is subscribed to on the bus now. */
	default long subscribedChannels() {
		return 0;
	}

	/** Deliveries that threw (the receiver failed on an item), were logged and skipped; delivery went on. */
	default long deliveryFailureCount() {
		return 0;
	}

	/** Times the delivery thread ended unexpectedly and was replaced. */
	default long deliveryRestartCount() {
		return 0;
	}

	/**
	 * Whether this open bus has lost its delivery thread (it ended and could not be replaced): the node then delivers
	 * nothing, whatever the bus connection says. False for a bus that was closed on purpose.
	 */
	default boolean isDeliveryStopped() {
		return false;
	}

	/** Publish batches received but not yet handed to this node's held connections: the node's delivery backlog. */
	default long pendingDeliveries() {
		return 0;
	}

}
