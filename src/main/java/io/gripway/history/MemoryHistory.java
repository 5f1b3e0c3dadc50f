package io.gripway.history;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import io.gripway.publish.PublishItem;
import reactor.core.publisher.Mono;

/**
 * History in this node's memory, for the in-memory bus (one node sees every publish): a ring of the last
 * {@code size} items per covered channel, each kept at most {@code ttl}, for at most {@code maxChannels} channels (the
 * channel written longest ago is dropped first).
 *
 * <h3>Thread safety</h3> Every method takes this object's monitor; {@link #record} is called by the delivery thread,
 * {@link #after} by event loops; each holds it for a copy of one ring at most.
 */
public final class MemoryHistory implements ChannelHistory {

	private final ChannelPatterns channels;

	private final int size;

	private final long ttlNanos;

	private final LongSupplier clock;

	private final Map<String, ArrayDeque<Kept>> rings;

	private record Kept(Replay.Entry entry, long atNanos) {
	}

	/**
	 * @param channels the channels to keep history for
	 * @param size items kept per channel
	 * @param ttlNanos how long an item is kept
	 * @param maxChannels channels kept at most
	 * @param clock {@link System#nanoTime()}, or a test's
	 */
	public MemoryHistory(ChannelPatterns channels, int size, long ttlNanos, int maxChannels, LongSupplier clock) {
		if (size < 1 || maxChannels < 1 || ttlNanos <= 0) {
			throw new IllegalArgumentException("size, maxChannels and ttl must be positive");
		}
		this.channels = channels;
		this.size = size;
		this.ttlNanos = ttlNanos;
		this.clock = clock;
		this.rings = new LinkedHashMap<>(16, 0.75f, false) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Kept>> eldest) {
				return size() > maxChannels;
			}
		};
	}

	@Override
	public boolean covers(String channel) {
		return this.channels.matches(channel);
	}

	@Override
	public synchronized void record(PublishItem item, long publishedAtMillis) {
		if (item.id() == null || !covers(item.channel())) {
			return;
		}
		// re-inserted, so the channel written longest ago is the first to go when there are too many
		ArrayDeque<Kept> ring = this.rings.remove(item.channel());
		if (ring == null) {
			ring = new ArrayDeque<>();
		}
		this.rings.put(item.channel(), ring);
		ring.addLast(new Kept(new Replay.Entry(item, publishedAtMillis), this.clock.getAsLong()));
		while (ring.size() > this.size) {
			ring.removeFirst();
		}
	}

	@Override
	public Mono<Replay> after(String channel, String prevId) {
		return Mono.fromSupplier(() -> replay(channel, prevId));
	}

	synchronized Replay replay(String channel, String prevId) {
		ArrayDeque<Kept> ring = this.rings.get(channel);
		if (ring == null) {
			return Replay.unknown();
		}
		long now = this.clock.getAsLong();
		ring.removeIf(kept -> now - kept.atNanos() >= this.ttlNanos);
		if (ring.isEmpty()) {
			return Replay.unknown();
		}
		List<Replay.Entry> kept = new ArrayList<>(ring.size());
		ring.forEach(each -> kept.add(each.entry()));
		return Replay.after(kept, prevId);
	}

	/** Channels with history now. */
	public synchronized int channelCount() {
		return this.rings.size();
	}

}
