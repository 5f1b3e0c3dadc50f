package io.gripway.hold;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The ids recently delivered on each channel, so a publish repeated with the same id (a publisher's retry, or the same
 * message sent to two replicas) is delivered once. Pushpin's {@code id_cache_ttl}: an id is remembered for the TTL,
 * and at most {@code capacity} ids in all, so busy channels cannot grow it without bound.
 *
 * <h3>Thread safety</h3> Not thread-safe: used only from the bus's delivery thread.
 */
final class RecentIds {

	private record Seen(String key, long atNanos) {
	}

	private final long ttlNanos;

	private final int capacity;

	private final ArrayDeque<Seen> order = new ArrayDeque<>();

	private final Set<String> ids = new HashSet<>();

	RecentIds(long ttlNanos, int capacity) {
		this.ttlNanos = ttlNanos;
		this.capacity = capacity;
	}

	/** Records {@code id} on {@code channel}; false when it was already seen there within the TTL. */
	boolean firstSighting(String channel, String id, long nowNanos) {
		expire(nowNanos);
		// a NUL cannot appear in a JSON-decoded channel name by accident, so the pair is unambiguous
		String key = channel + '\u0000' + id;
		if (!this.ids.add(key)) {
			return false;
		}
		this.order.addLast(new Seen(key, nowNanos));
		if (this.order.size() > this.capacity) {
			this.ids.remove(this.order.removeFirst().key());
		}
		return true;
	}

	private void expire(long nowNanos) {
		Seen oldest;
		while ((oldest = this.order.peekFirst()) != null && nowNanos - oldest.atNanos() >= this.ttlNanos) {
			this.order.removeFirst();
			this.ids.remove(oldest.key());
		}
	}

}
