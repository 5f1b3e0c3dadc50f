package io.gripway.hold;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.gripway.bus.BusReceiver;
import io.gripway.bus.MessageBus;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.PublishItem;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

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

	private final Map<HoldKind, AtomicInteger> heldByKind = new EnumMap<>(HoldKind.class);

	private final HoldListener listener;

	private final Set<Hold> all = ConcurrentHashMap.newKeySet();

	private volatile boolean draining;

	public HoldRegistry(MessageBus bus, HoldLimits limits) {
		this(bus, limits, HoldListener.NONE);
	}

	public HoldRegistry(MessageBus bus, HoldLimits limits, HoldListener listener) {
		this.bus = bus;
		this.limits = limits;
		this.listener = listener;
		this.recentIds = new RecentIds(limits.idCacheTtl().toNanos(), limits.idCacheSize());
		for (HoldKind kind : HoldKind.values()) {
			this.heldByKind.put(kind, new AtomicInteger());
		}
	}

	public HoldLimits limits() {
		return this.limits;
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
		this.all.add(hold);
		this.heldByKind.get(hold.kind()).incrementAndGet();
		this.listener.started(hold.kind());
		for (ChannelSubscription subscription : hold.channels()) {
			addToChannel(hold, subscription);
		}
		return true;
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
		// the subscription comes with the hold: a fan-out to thousands makes no lookup per subscriber
		holds.holds.forEach((hold, subscription) -> {
			if (SubscriptionFilters.accepts(subscription.filters(), hold.meta(), hold.channelNames(), item.meta())) {
				deliverSafely(hold, item, publishedAtMillis);
			}
		});
	}

	private static void deliverSafely(Hold hold, PublishItem item, long publishedAtMillis) {
		try {
			hold.deliver(item, publishedAtMillis);
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

	public int heldCount(HoldKind kind) {
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
