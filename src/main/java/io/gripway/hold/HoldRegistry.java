package io.gripway.hold;

import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.gripway.bus.BusReceiver;
import io.gripway.bus.MessageBus;
import io.gripway.history.ChannelHistory;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.PublishItem;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The channels this node holds connections on, and the connections held on each: the single owner of registration,
 * and the {@link BusReceiver} that fans each published item out to them.
 *
 * <h3>Cost of a publish</h3> One map lookup for the item's channel, then one filter check and one
 * {@link Hold#deliver} per subscriber of that channel; nothing proportional to other channels, and the item's
 * content is shared, not copied.
 *
 * <h3>Thread safety</h3> {@link #register}, {@link #subscribe}, {@link #unsubscribe} and {@link #unregister} may be
 * called from any thread (event loops, timers); changes to one hold's channels are serialized by a lock of that hold's.
 * {@link #receive} is called by the bus from one thread at a time, which is what keeps per-channel order and lets the
 * id cache go unsynchronized. The bus is told about a channel's first subscriber and last unsubscriber under the
 * channel map's per-key lock, so subscribe and unsubscribe for one channel reach the bus in the right order.
 *
 * <h3>Ordering by prev-id</h3> Items pass through a {@link Sequencer} before the fan-out, as in Pushpin: an item
 * whose {@code prev-id} is ahead of its channel's last id waits (at most {@link HoldLimits#messageWait()}) for the items
 * before it. The sequencer's state is touched under one short lock, taken by the delivery thread, the timer that
 * releases overdue items ({@link #releaseOverdue}), {@link #register} (to see a prev-id already behind, and only then)
 * and {@link #recover}; never inside the channel map's per-key locks, so that lock is never taken while holding them.
 * A second lock, taken only by the delivery thread and the timer, keeps their fan-outs in the sequencer's order.
 *
 * <h3>Recovery</h3> {@link #recover()} ({@code POST /recover}) forgets every last id and sends every held connection
 * that can back to its origin; {@link #gap} does the same for the channels a bus may have lost items on.
 *
 * <h3>Lifecycle</h3> At shutdown {@link #startDraining()} makes every later {@link #register} fail, and
 * {@link #held()} lists what is left to {@link Hold#drain() drain}.
 */
public final class HoldRegistry implements BusReceiver {

	private static final Log logger = LogFactory.getLog(HoldRegistry.class);

	/** {@link HoldListener#refused} reason: the node holds its maximum number of connections. */
	public static final String REFUSED_LIMIT = "limit";

	/** {@link HoldListener#refused} reason: the node is shutting down. */
	public static final String REFUSED_DRAINING = "draining";

	private final MessageBus bus;

	private final HoldLimits limits;

	private final ConcurrentHashMap<String, ChannelHolds> channels = new ConcurrentHashMap<>();

	private final AtomicInteger held = new AtomicInteger();

	// outlives each channel's subscribers: a long-poll client re-polls between two deliveries, and a repeat sent
	// meanwhile must still be recognised
	private final RecentIds recentIds;

	private final Map<Transport, AtomicInteger> heldByKind = new EnumMap<>(Transport.class);

	private final HoldListener listener;

	private final Set<Hold> all = ConcurrentHashMap.newKeySet();

	private volatile boolean draining;

	// the fan-outs of the delivery thread and of the overdue-item timer, one at a time, so items leave the sequencer
	// and reach connections in the same order; see "Ordering by prev-id"
	private final Object delivering = new Object();

	// the sequencer's state, held only for a sequencer call, never across a fan-out: an event loop that registers a
	// hold with a prev-id waits for a map look-up, not for a fan-out to ten thousand connections
	private final Object sequencing = new Object();

	// an item waits with its publish time, for its latency once it goes out
	private final Sequencer<Published> sequencer;

	private final ChannelHistory history;

	private record Published(PublishItem item, long atMillis) {
	}

	// channels whose last local subscriber left: the sequencer forgets them on the delivery thread, not inside the
	// channel map's locks
	private final ConcurrentLinkedQueue<String> left = new ConcurrentLinkedQueue<>();

	public HoldRegistry(MessageBus bus, HoldLimits limits) {
		this(bus, limits, HoldListener.NONE);
	}

	public HoldRegistry(MessageBus bus, HoldLimits limits, HoldListener listener) {
		this(bus, limits, listener, ChannelHistory.NONE);
	}

	/**
	 * @param history the channel history: this node records every item it receives into it (the in-memory bus hands
	 * every item to every node's registry), and connections held behind a covered channel are caught up from it
	 */
	public HoldRegistry(MessageBus bus, HoldLimits limits, HoldListener listener, ChannelHistory history) {
		this.history = history;
		this.bus = bus;
		this.limits = limits;
		this.listener = listener;
		this.recentIds = new RecentIds(limits.idCacheTtl().toNanos(), limits.idCacheSize());
		this.sequencer = new Sequencer<>(limits.messageWait().toNanos(), HoldLimits.MAX_WAITING_PER_CHANNEL,
				HoldLimits.MAX_SEQUENCED_CHANNELS, Published::item);
		for (Transport kind : Transport.values()) {
			this.heldByKind.put(kind, new AtomicInteger());
		}
	}

	public HoldLimits limits() {
		return this.limits;
	}

	/** The channel history connections catch up from. */
	public ChannelHistory history() {
		return this.history;
	}

	/**
	 * Subscribes {@code hold} to the channels it was made with. Returns false, registering nothing, when the node
	 * already holds its maximum number of connections or is draining. The caller must {@link #unregister} exactly once
	 * after a true result.
	 */
	public boolean register(Hold hold) {
		if (this.draining) {
			this.listener.refused(hold.kind(), REFUSED_DRAINING);
			return false;
		}
		if (this.held.incrementAndGet() > this.limits.maxHeldConnections()) {
			this.held.decrementAndGet();
			this.listener.refused(hold.kind(), REFUSED_LIMIT);
			return false;
		}
		hold.listener(this.listener);
		hold.registry(this);
		this.all.add(hold);
		this.heldByKind.get(hold.kind()).incrementAndGet();
		this.listener.started(hold.kind());
		for (ChannelSubscription subscription : hold.channels()) {
			addToChannel(hold, subscription);
		}
		if (followsHistory(hold.channels())) {
			hold.catchUp();
		}
		else if (isBehind(hold.channels())) {
			hold.recover(RecoveryCause.BEHIND);
		}
		return true;
	}

	private boolean followsHistory(Collection<ChannelSubscription> subscriptions) {
		for (ChannelSubscription subscription : subscriptions) {
			if (subscription.prevId() != null && this.history.covers(subscription.name())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a prev-id the origin gave is already behind what this node delivered on its channel: the connection
	 * missed something before it was held. The channel's last id is forgotten then, as Pushpin does, so the items after
	 * the recovery are not held back for it.
	 */
	private boolean isBehind(Collection<ChannelSubscription> subscriptions) {
		if (subscriptions.stream().allMatch(subscription -> subscription.prevId() == null)) {
			return false;
		}
		boolean behind = false;
		synchronized (this.sequencing) {
			for (ChannelSubscription subscription : subscriptions) {
				String last = (subscription.prevId() != null) ? this.sequencer.lastId(subscription.name()) : null;
				if (last != null && !last.equals(subscription.prevId())) {
					this.sequencer.forgetLastId(subscription.name());
					behind = true;
				}
			}
		}
		return behind;
	}

	/**
	 * {@code POST /recover}: forgets every channel's last id and sends every held connection that can back to its
	 * origin (streams fetch their next link, long-polls retry their request).
	 */
	@Override
	public void recover() {
		synchronized (this.sequencing) {
			this.sequencer.clear();
		}
		for (Hold hold : this.all) {
			hold.recover(RecoveryCause.RECOVER);
		}
	}

	/**
	 * This node may have missed items on {@code channels} (all of them when {@code null}): the bus's subscription
	 * dropped and came back, its queue overflowed, or it could not read a message. The channels' last ids are
	 * forgotten and their connections recover, so a missed item is fetched from the origin instead of silently lost.
	 */
	@Override
	public void gap(@Nullable Set<String> channels) {
		synchronized (this.sequencing) {
			if (channels == null) {
				this.sequencer.clear();
			}
			else {
				channels.forEach(this.sequencer::forgetLastId);
			}
		}
		for (Hold hold : this.all) {
			if (channels == null || hold.channelNames().stream().anyMatch(channels::contains)) {
				hold.recover(RecoveryCause.BUS_GAP);
			}
		}
	}

	/**
	 * Adds {@code subscription} to a registered hold whose channels change while it is held (a WebSocket), or
	 * replaces the hold's subscription of the same name (new filters). Refused, with a log line, when the hold already
	 * has {@link HoldLimits#maxSubscriptionsPerConnection} channels (Pushpin ignores the extra ones), and when the hold
	 * has been unregistered, so a late subscribe cannot outlive its connection.
	 * @return true if the hold now listens on the channel
	 */
	public boolean subscribe(Hold hold, ChannelSubscription subscription) {
		synchronized (hold.changeLock) {
			if (hold.ended()) {
				return false;
			}
			boolean known = hold.channel(subscription.name()) != null;
			if (!known && hold.channelNames().size() >= this.limits.maxSubscriptionsPerConnection()) {
				logger.info("Ignoring subscription to '" + subscription.name() + "': a " + hold.kind().tag()
						+ " connection has at most " + this.limits.maxSubscriptionsPerConnection() + " channels");
				return false;
			}
			hold.putChannel(subscription);
			// a known channel too: its subscription (filters) may have changed
			addToChannel(hold, subscription);
			return true;
		}
	}

	/** Removes {@code channel} from a registered hold's channels; nothing if it had no such channel. */
	public void unsubscribe(Hold hold, String channel) {
		synchronized (hold.changeLock) {
			if (hold.removeChannel(channel)) {
				removeFromChannel(channel, hold);
			}
		}
	}

	/** Ends {@code hold}: removes it from every channel it listens on now. Exactly once per true {@link #register}. */
	public void unregister(Hold hold) {
		Set<String> channelNames;
		synchronized (hold.changeLock) {
			channelNames = hold.end();
		}
		for (String channel : channelNames) {
			removeFromChannel(channel, hold);
		}
		// reported before the counts drop, so whoever sees the count fall also sees the ending counted
		this.listener.ended(hold.kind(), hold.outcome());
		this.all.remove(hold);
		this.heldByKind.get(hold.kind()).decrementAndGet();
		this.held.decrementAndGet();
	}

	/** From now on every {@link #register} fails: the node is shutting down. Irreversible. */
	public void startDraining() {
		this.draining = true;
	}

	public boolean isDraining() {
		return this.draining;
	}

	/** A snapshot of the connections held now, for draining them one by one. */
	public List<Hold> held() {
		return List.copyOf(this.all);
	}

	private void addToChannel(Hold hold, ChannelSubscription subscription) {
		this.channels.compute(subscription.name(), (name, holds) -> {
			ChannelHolds existing = (holds != null) ? holds : newChannel(name);
			existing.holds.put(hold, subscription);
			return existing;
		});
	}

	private void removeFromChannel(String channel, Hold hold) {
		this.channels.computeIfPresent(channel, (name, holds) -> {
			holds.holds.remove(hold);
			if (holds.holds.isEmpty()) {
				this.bus.unsubscribe(name);
				this.left.add(name);
				return null;
			}
			return holds;
		});
	}

	private ChannelHolds newChannel(String name) {
		this.bus.subscribe(name);
		return new ChannelHolds();
	}

	@Override
	public void receive(PublishItem item, long publishedAtMillis) {
		synchronized (this.delivering) {
			// kept whether or not anyone here listens: a connection held later may have missed it
			this.history.record(item, publishedAtMillis);
			ChannelHolds holds = this.channels.get(item.channel());
			if (holds == null) {
				return;
			}
			String id = item.id();
			if (id != null && !this.limits.idCacheTtl().isZero()
					&& !this.recentIds.firstSighting(item.channel(), id, System.nanoTime())) {
				if (logger.isDebugEnabled()) {
					logger.debug("Dropping repeated id '" + id + "' on channel '" + item.channel() + "'");
				}
				for (Hold hold : holds.holds.keySet()) {
					this.listener.dropped(hold.kind(), DropReason.DUPLICATE_ID);
				}
				return;
			}
			List<Published> ready;
			synchronized (this.sequencing) {
				forgetLeftChannels();
				ready = this.sequencer.offer(new Published(item, publishedAtMillis), true, System.nanoTime());
			}
			FanOutRound.run(() -> {
				for (Published next : ready) {
					fanOut(holds, next.item(), next.atMillis());
				}
			});
		}
	}

	/**
	 * Lets out the items that have waited {@link HoldLimits#messageWait()} for the items before them, in order. Called
	 * by a timer, a few times per wait; cheap when nothing waits.
	 */
	public void releaseOverdue() {
		synchronized (this.delivering) {
			List<Published> ready;
			synchronized (this.sequencing) {
				forgetLeftChannels();
				if (!this.sequencer.hasPending()) {
					return;
				}
				ready = this.sequencer.expire(System.nanoTime());
			}
			FanOutRound.run(() -> {
				for (Published next : ready) {
					ChannelHolds holds = this.channels.get(next.item().channel());
					if (holds != null) {
						fanOut(holds, next.item(), next.atMillis());
					}
				}
			});
		}
	}

	/** Items waiting in the sequencer now; items that waited, were let out by the timer, were dropped, so far. */
	public SequencerCounts sequencerCounts() {
		synchronized (this.sequencing) {
			return new SequencerCounts(this.sequencer.pending(), this.sequencer.waited(),
					this.sequencer.releasedByTimer(), this.sequencer.dropped());
		}
	}

	/**
	 * @param waiting items waiting now
	 * @param waited items that waited for a gap to fill, so far
	 * @param releasedByTimer items let out because their wait passed, so far
	 * @param dropped items dropped by the sequencer (a second item on the same prev-id, over the limit), so far
	 */
	public record SequencerCounts(int waiting, long waited, long releasedByTimer, long dropped) {
	}

	private void forgetLeftChannels() {
		String channel;
		while ((channel = this.left.poll()) != null) {
			if (!this.channels.containsKey(channel)) {
				this.sequencer.forget(channel);
			}
		}
	}

	private void fanOut(ChannelHolds holds, PublishItem item, long publishedAtMillis) {
		// the subscription comes with the hold: a fan-out to thousands makes no lookup per subscriber
		holds.holds.forEach((hold, subscription) -> {
			if (SubscriptionFilters.accepts(subscription.filters(), hold.meta(), hold.channelNames(), item.meta())) {
				deliverSafely(hold, subscription, item, publishedAtMillis);
			}
		});
	}

	private static void deliverSafely(Hold hold, ChannelSubscription subscription, PublishItem item,
			long publishedAtMillis) {
		try {
			hold.deliver(item, subscription, publishedAtMillis);
		}
		catch (RuntimeException ex) {
			// one broken connection must not stop the fan-out to everyone else
			logger.warn("Delivery to a " + hold.kind().tag() + " hold failed", ex);
		}
	}

	/** Connections held on this node now. */
	public int heldCount() {
		return this.held.get();
	}

	public int heldCount(Transport kind) {
		return this.heldByKind.get(kind).get();
	}

	/** Channels with at least one held connection on this node. */
	public int channelCount() {
		return this.channels.size();
	}

	/** Subscribers of {@code channel} on this node now. */
	public int subscriberCount(String channel) {
		ChannelHolds holds = this.channels.get(channel);
		return (holds != null) ? holds.holds.size() : 0;
	}

	private static final class ChannelHolds {

		/** Each hold on the channel, with its subscription to it. */
		final ConcurrentHashMap<Hold, ChannelSubscription> holds = new ConcurrentHashMap<>();

	}

}
