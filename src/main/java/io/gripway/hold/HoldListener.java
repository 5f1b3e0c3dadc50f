package io.gripway.hold;

/**
 * Told what happens to held connections, for metrics. Every method has a no-op default, so an implementation overrides
 * only what it counts, and a new transport (WebSocket) reports through the protected helpers of {@link Hold}.
 *
 * <h3>Thread safety</h3> Called from event loops, timer threads and the bus's delivery thread, concurrently:
 * implementations must be thread-safe, cheap, and must never throw or block.
 */
public interface HoldListener {

	/** Reports nothing. */
	HoldListener NONE = new HoldListener() {
	};

	/** A hold was registered. */
	default void started(Transport kind) {
	}

	/**
	 * A hold was refused before it was registered.
	 * @param reason {@link HoldRegistry#REFUSED_LIMIT} or {@link HoldRegistry#REFUSED_DRAINING}
	 */
	default void refused(Transport kind, String reason) {
	}

	/** A registered hold was unregistered, exactly once per {@link #started}. */
	default void ended(Transport kind, HoldOutcome outcome) {
	}

	/**
	 * A published message is being handed to the client's connection.
	 * @param publishedAtMillis epoch millis when the publish API accepted it, on whichever node
	 */
	default void delivered(Transport kind, long publishedAtMillis) {
	}

	/** A connection's queue overflowed; it is being disconnected as a slow consumer. */
	default void overflow(Transport kind) {
	}

	/** A message addressed to a connection of {@code kind} was not delivered to it. */
	default void dropped(Transport kind, DropReason reason) {
	}

	/** A connection went back to its origin for what it missed. */
	default void recoveryStarted(Transport kind, RecoveryCause cause) {
	}

	/**
	 * A recovery ended.
	 * @param succeeded the origin's answer was adopted; false when the connection was ended for want of one
	 */
	default void recoveryEnded(Transport kind, RecoveryCause cause, boolean succeeded) {
	}

	/** Items were sent to a connection from channel history, without asking its origin. */
	default void replayed(Transport kind, int items) {
	}

	/** History could not prove what a connection missed (id not found, trimmed, lost); it recovers from its origin. */
	default void replayFellBack(Transport kind) {
	}

}
