package io.gripway.hold;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The ids recently delivered on one channel, so a publish repeated with the same id (a publisher's retry, or the same
 * message sent to two replicas) is delivered once. Pushpin's {@code id_cache_ttl}: an id is remembered for the TTL,
 * and for at most {@code capacity} ids per channel so a busy channel cannot grow it without bound.
 *
 * <h3>Thread safety</h3> Not thread-safe: used only from the bus's delivery thread.
 */
final class RecentIds {

	private record Seen(String id, long atNanos) {
	}

	private final long ttlNanos;

	private final int capacity;

	private final ArrayDeque<Seen> order = new ArrayDeque<>();

	private final Set<String> ids = new HashSet<>();

	RecentIds(long ttlNanos, int capacity) {
		this.ttlNanos = ttlNanos;
		this.capacity = capacity;
	}

	/** Records {@code id}; false when it was already seen within the TTL. */
	boolean firstSighting(String id, long nowNanos) {
		expire(nowNanos);
		if (!this.ids.add(id)) {
			return false;
		}
		this.order.addLast(new Seen(id, nowNanos));
		if (this.order.size() > this.capacity) {
			this.ids.remove(this.order.removeFirst().id());
		}
		return true;
	}

	private void expire(long nowNanos) {
		Seen oldest;
		while ((oldest = this.order.peekFirst()) != null && nowNanos - oldest.atNanos() >= this.ttlNanos) {
			this.order.removeFirst();
			this.ids.remove(oldest.id());
		}
	}

}
