package io.gripway.hold;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.gripway.publish.PublishItem;
import org.jspecify.annotations.Nullable;

/**
 * Puts the items published to a channel back in their {@code prev-id} order before they reach the channel's local
 * subscribers, as Pushpin's sequencer does (fastly/pushpin {@code src/handler/sequencer.cpp}, with the last-id table of
 * {@code publishlastids.cpp} and the call sites in {@code handlerengine.cpp}).
 * <p>
 * Per channel it remembers the last id let through. An item is held back only when the channel has local
 * subscribers, the item is not {@code no-seq}, it has a {@code prev-id}, and the channel's last id is known and
 * differs from that {@code prev-id}. A held item waits until the item whose id is its {@code prev-id} goes through
 * (then it follows at once, and may in turn release the next one), or until it has waited {@code messageWait}, when
 * {@link #expire} lets it go anyway. A channel with no known last id lets everything through, so the first message
 * after a channel gains subscribers is delivered immediately.
 * <p>
 * Memory is bounded: at most {@code maxChannels} last ids (the least recently set is forgotten first) and at most
 * {@code maxPendingPerChannel} waiting items on each of at most {@code maxChannels} channels.
 * <p>
 * The repeat-by-id check that Pushpin also does here ({@code id_cache_ttl}) is {@link RecentIds}, applied before this.
 *
 * <h3>Thread safety</h3> Not thread-safe: used only from the bus's delivery thread, which also runs the timer that
 * calls {@link #expire}. Time is the caller's {@code nowNanos} (a monotonic clock), so tests drive it directly.
 */
final class Sequencer<T> {

	/** A held item; identity equality, so two equal items waiting on different channels stay distinct. */
	private final class Waiting {

		final T item;

		final long sinceNanos;

		Waiting(T item, long sinceNanos) {
			this.item = item;
			this.sinceNanos = sinceNanos;
		}

	}

	private final Function<T, PublishItem> published;

	private final long messageWaitNanos;

	private final int maxPendingPerChannel;

	private final int maxChannels;

	/** Channel → last id let through, in the order last set: the first entry is the one to forget first. */
	private final LinkedHashMap<String, String> lastIds = new LinkedHashMap<>();

	/** Channel → its waiting items by the {@code prev-id} they wait for. */
	private final Map<String, Map<String, Waiting>> pendingByChannel = new HashMap<>();

	/** Every waiting item, oldest first (arrival order, as the clock is monotonic). */
	private final LinkedHashSet<Waiting> pendingByAge = new LinkedHashSet<>();

	private long waited;

	private long releasedByTimer;

	private long dropped;

	/**
	 * @param messageWaitNanos how long an item may wait for its predecessor before it is delivered anyway (Pushpin's
	 * {@code message_wait}, 5 s)
	 * @param maxPendingPerChannel how many items may wait on one channel (Pushpin: 100)
	 * @param maxChannels how many channels' last ids are remembered, and how many channels may have waiting items
	 * (Pushpin: 1,000,000 last ids)
	 * @param published the published item an element stands for: callers sequence their own elements (an item with
	 * when it was published, say), so whatever travels with an item survives its wait
	 */
	Sequencer(long messageWaitNanos, int maxPendingPerChannel, int maxChannels, Function<T, PublishItem> published) {
		if (messageWaitNanos <= 0 || maxPendingPerChannel <= 0 || maxChannels <= 0) {
			throw new IllegalArgumentException("message wait, pending limit and channel limit must be positive");
		}
		this.messageWaitNanos = messageWaitNanos;
		this.maxPendingPerChannel = maxPendingPerChannel;
		this.maxChannels = maxChannels;
		this.published = published;
	}

	/**
	 * Items ready to deliver now, in order (possibly empty, possibly several when this item fills a gap).
	 * @param channelHasSubscribers whether the item's channel has a subscriber on this node now
	 */
	List<T> offer(T element, boolean channelHasSubscribers, long nowNanos) {
		PublishItem item = this.published.apply(element);
		// Pushpin (handlerengine.cpp handlePublishItem) sequences only a channel someone listens to, because the last
		// id is forgotten on unsubscribe and must not be set again before a subscriber returns. An unsequenced item
		// goes out untouched: it neither sets the last id nor releases waiting items (sequencer.cpp addItem, !seq).
		if (item.noSeq() || !channelHasSubscribers) {
			return List.of(element);
		}
		String channel = item.channel();
		@Nullable String prevId = item.prevId();
		@Nullable String lastId = this.lastIds.get(channel);
		if (lastId == null || prevId == null || lastId.equals(prevId)) {
			List<T> ready = new ArrayList<>(1);
			deliver(element, ready);
			return ready;
		}
		Map<String, Waiting> waiting = this.pendingByChannel.get(channel);
		if (waiting == null) {
			if (this.pendingByChannel.size() >= this.maxChannels) {
				// Our bound, not Pushpin's (it caps only the last ids): a channel whose last id was evicted may still
				// have waiting items, so cap the channels too. Deliver rather than drop: late order beats loss.
				List<T> ready = new ArrayList<>(1);
				deliver(element, ready);
				return ready;
			}
			waiting = new HashMap<>();
			this.pendingByChannel.put(channel, waiting);
		}
		// As Pushpin: the item already waiting keeps its place and the newcomer is dropped, both for a repeated
		// prev-id and for a full channel (checked in that order).
		if (waiting.containsKey(prevId) || waiting.size() >= this.maxPendingPerChannel) {
			this.dropped++;
			return List.of();
		}
		Waiting held = new Waiting(element, nowNanos);
		waiting.put(prevId, held);
		this.pendingByAge.add(held);
		this.waited++;
		return List.of();
	}

	/**
	 * Items whose wait has passed, in the order they must be delivered. As Pushpin's expire timer: only items that
	 * waited at least {@code messageWait} go, oldest first; each is delivered as if it had arrived in order, so it
	 * becomes the last id and releases the items waiting on it, even those whose own wait has not passed. Other items
	 * of the channel keep waiting. Pushpin checks once a second (so waits last 5–6 s); the caller's timer sets ours.
	 */
	List<T> expire(long nowNanos) {
		List<T> ready = new ArrayList<>();
		while (!this.pendingByAge.isEmpty()) {
			Waiting oldest = this.pendingByAge.iterator().next();
			if (nowNanos - oldest.sinceNanos < this.messageWaitNanos) {
				break;
			}
			unlink(oldest);
			this.releasedByTimer++;
			deliver(oldest.item, ready);
		}
		return ready;
	}

	/**
	 * Forgets the channel's last id and drops its waiting items: its last local subscriber left (Pushpin's
	 * {@code removeSub}: {@code clearPendingForChannel}, then the last id is removed). The dropped items are not
	 * counted in {@link #dropped()}: with no subscriber left on this node they had no one to reach.
	 */
	void forget(String channel) {
		Map<String, Waiting> waiting = this.pendingByChannel.remove(channel);
		if (waiting != null) {
			for (Waiting held : waiting.values()) {
				this.pendingByAge.remove(held);
			}
		}
		this.lastIds.remove(channel);
	}

	/**
	 * Forgets one channel's last id only, so its next item goes straight through: Pushpin does this when a
	 * subscriber's {@code prev-id} disagrees with the last id (the response hold retries its origin), and keeps the
	 * channel's waiting items.
	 */
	void forgetLastId(String channel) {
		this.lastIds.remove(channel);
	}

	/**
	 * Forgets every last id ({@code /recover}). As Pushpin's {@code recoverCommand}, waiting items are kept: they go
	 * when their predecessor passes or their wait ends.
	 */
	void clear() {
		this.lastIds.clear();
	}

	/** The id of the last item let through on {@code channel}, or null when unknown. */
	@Nullable String lastId(String channel) {
		return this.lastIds.get(channel);
	}

	/** Whether any item waits, so a timer can skip {@link #expire}. */
	boolean hasPending() {
		return !this.pendingByAge.isEmpty();
	}

	/** Items waiting now. */
	int pending() {
		return this.pendingByAge.size();
	}

	/** Items that were held back, since creation. */
	long waited() {
		return this.waited;
	}

	/** Held items delivered because their wait ended (not those delivered right after them). */
	long releasedByTimer() {
		return this.releasedByTimer;
	}

	/** Items dropped: a second item waiting on the same prev-id, or a channel's waiting items at the limit. */
	long dropped() {
		return this.dropped;
	}

	/** Lets {@code item} through, then every item that waits, directly or in a chain, for it. */
	private void deliver(T element, List<T> ready) {
		PublishItem item = this.published.apply(element);
		setLastId(item);
		ready.add(element);
		Map<String, Waiting> waiting = this.pendingByChannel.get(item.channel());
		if (waiting == null) {
			return;
		}
		@Nullable String id = item.id();
		@Nullable Waiting next;
		while (id != null && (next = waiting.remove(id)) != null) {
			this.pendingByAge.remove(next);
			PublishItem following = this.published.apply(next.item);
			setLastId(following);
			ready.add(next.item);
			id = following.id();
		}
		if (waiting.isEmpty()) {
			this.pendingByChannel.remove(item.channel());
		}
	}

	private void unlink(Waiting held) {
		this.pendingByAge.remove(held);
		PublishItem item = this.published.apply(held.item);
		String channel = item.channel();
		Map<String, Waiting> waiting = this.pendingByChannel.get(channel);
		if (waiting != null) {
			waiting.remove(item.prevId());
			if (waiting.isEmpty()) {
				this.pendingByChannel.remove(channel);
			}
		}
	}

	/**
	 * As Pushpin's {@code sendItem}: an item without an id forgets the channel's last id (the chain is broken, so the
	 * next item must not wait for a predecessor nobody can name). Setting an id makes the channel the most recent;
	 * reading does not (Pushpin's {@code PublishLastIds} orders by the time set).
	 */
	private void setLastId(PublishItem item) {
		String channel = item.channel();
		@Nullable String id = item.id();
		this.lastIds.remove(channel);
		if (id == null) {
			return;
		}
		this.lastIds.put(channel, id);
		if (this.lastIds.size() > this.maxChannels) {
			Iterator<String> eldest = this.lastIds.keySet().iterator();
			eldest.next();
			eldest.remove();
		}
	}

}
