package io.gripway.hold;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import io.gripway.app.ChannelNamespace;
import io.gripway.filter.ContentFilterException;
import io.gripway.filter.ContentFilters;
import io.gripway.history.ChannelHistory;
import io.gripway.history.Replay;
import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.PublishItem;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One held connection as the registry sees it: the channels it listens on, its subscription meta, and where published
 * items go. Subclasses decide which format they take and how it reaches the client.
 *
 * <h3>Thread safety</h3> {@link #deliver} is called by the registry from the bus's delivery thread, one item at a
 * time; it must not block. {@link #drain} is called from the drain thread at shutdown. The listener is set once by
 * the registry before the hold can receive anything; the outcome is set at most once, first caller wins. Channels and
 * meta are immutable maps in volatile fields: a hold whose channels change (a WebSocket, through
 * {@link HoldRegistry#subscribe}) gets a new map per change, made under a lock of the hold's own, so the delivery
 * thread reads them without locking.
 *
 * <h3>Lifecycle</h3> Whatever ends a hold records why ({@link #endWith}) before the transport completes, so the
 * registry can report the outcome when the transport's single cleanup path unregisters it; a hold ended without a
 * recorded reason was ended by its client.
 */
public abstract class Hold {

	private static final Log logger = LogFactory.getLog(Hold.class);

	/** WebSocket close code 1012, "Service Restart" (IANA registry), sent to WebSockets ended by a drain. */
	public static final int WEBSOCKET_SERVICE_RESTART = 1012;

	private volatile Map<String, ChannelSubscription> channels;

	private volatile Map<String, String> meta;

	/** Serializes changes to channels and meta; not {@code this}, which subclasses lock for their own emission. */
	final Object changeLock = new Object();

	// set by HoldRegistry#unregister under changeLock; from then on no channel may be added
	private boolean ended;

	private volatile HoldListener listener = HoldListener.NONE;

	// set by HoldRegistry#register before the hold can receive anything: a hold whose channels change on its own (a
	// stream adopting a next link's instruction) changes them through its registry
	private volatile @Nullable HoldRegistry registry;

	private final AtomicReference<HoldOutcome> outcome = new AtomicReference<>();

	// set once, before the hold is registered; its channels are bus names in this namespace
	private volatile ChannelNamespace namespace = ChannelNamespace.NONE;

	protected Hold(List<ChannelSubscription> channels, Map<String, String> meta) {
		Map<String, ChannelSubscription> byName = new LinkedHashMap<>();
		for (ChannelSubscription channel : channels) {
			byName.putIfAbsent(channel.name(), channel);
		}
		this.channels = Collections.unmodifiableMap(byName);
		this.meta = Map.copyOf(meta);
	}

	public Set<String> channelNames() {
		return this.channels.keySet();
	}

	public Collection<ChannelSubscription> channels() {
		return this.channels.values();
	}

	@Nullable ChannelSubscription channel(String name) {
		return this.channels.get(name);
	}

	public Map<String, String> meta() {
		return this.meta;
	}

	/**
	 * The namespace of the application this connection belongs to: its channels are named on the bus, and
	 * {@code build-id} renders them by the names its origin knows. Set once, before the hold is registered.
	 */
	public void namespace(ChannelNamespace namespace) {
		this.namespace = namespace;
	}

	public ChannelNamespace namespace() {
		return this.namespace;
	}

	/** Sets (non-null {@code value}) or deletes one subscription meta entry, which filters read. */
	public void setMeta(String name, @Nullable String value) {
		synchronized (this.changeLock) {
			Map<String, String> changed = new LinkedHashMap<>(this.meta);
			if (value != null) {
				changed.put(name, value);
			}
			else {
				changed.remove(name);
			}
			this.meta = Map.copyOf(changed);
		}
	}

	/** Adds or replaces (same name) a channel. Called by the registry, which holds changeLock. */
	final void putChannel(ChannelSubscription subscription) {
		Map<String, ChannelSubscription> changed = new LinkedHashMap<>(this.channels);
		changed.put(subscription.name(), subscription);
		this.channels = Map.copyOf(changed);
	}

	/** Removes a channel; true if it was there. Called by the registry, which holds changeLock. */
	final boolean removeChannel(String name) {
		if (!this.channels.containsKey(name)) {
			return false;
		}
		Map<String, ChannelSubscription> changed = new LinkedHashMap<>(this.channels);
		changed.remove(name);
		this.channels = Map.copyOf(changed);
		return true;
	}

	/** Marks the hold ended and returns its channels then. Called by the registry, which holds changeLock. */
	final Set<String> end() {
		this.ended = true;
		return this.channels.keySet();
	}

	final boolean ended() {
		return this.ended;
	}

	/** The transport this hold belongs to, for metrics and logs. */
	public abstract Transport kind();

	/**
	 * Hands one published item to this connection, already past the channel's filters. Must not block.
	 * @param item the item; the hold picks the format for its transport and ignores the item if it has none
	 * @param subscription this hold's subscription to the item's channel, as the registry keeps it: a fan-out to
	 * thousands hands it over rather than have each hold look its channel up by name again
	 * @param publishedAtMillis when the publish API accepted the item
	 */
	protected abstract void deliver(PublishItem item, ChannelSubscription subscription, long publishedAtMillis);

	/**
	 * Ends this connection cleanly because the node is shutting down; must not block. A long-poll answers with its
	 * timeout response, a stream ends its chunked body, a WebSocket closes with {@link #WEBSOCKET_SERVICE_RESTART}.
	 * Implementations call {@code endWith(HoldOutcome.DRAINED)} first.
	 */
	public abstract void drain();

	void listener(HoldListener listener) {
		this.listener = listener;
	}

	void registry(HoldRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Replaces this hold's channels with {@code subscriptions} through its registry: channels no longer named are left,
	 * new ones joined, kept ones updated (prev-id, filters). Nothing when the hold is not registered or has ended.
	 */
	final void resubscribe(List<ChannelSubscription> subscriptions) {
		HoldRegistry owner = this.registry;
		if (owner == null) {
			return;
		}
		Map<String, ChannelSubscription> wanted = new LinkedHashMap<>();
		for (ChannelSubscription subscription : subscriptions) {
			wanted.putIfAbsent(subscription.name(), subscription);
		}
		for (String name : List.copyOf(channelNames())) {
			if (!wanted.containsKey(name)) {
				owner.unsubscribe(this, name);
			}
		}
		for (ChannelSubscription subscription : wanted.values()) {
			owner.subscribe(this, subscription);
		}
	}

	/** Replaces the whole subscription meta, as a next link's instruction does. */
	final void replaceMeta(Map<String, String> meta) {
		synchronized (this.changeLock) {
			this.meta = Map.copyOf(meta);
		}
	}

	/**
	 * Goes back to the origin for what this connection may have missed, if its transport can ({@code /recover}, a gap
	 * on the bus, a prev-id found behind when it was held). Must not block. Nothing by default (WebSockets).
	 */
	protected void recover(RecoveryCause cause) {
	}

	/**
	 * What {@code content} becomes for this subscriber: {@code null} (dropped, counted) when the format named
	 * {@code content-filters} other than the subscription's, or a content filter failed; else the content through the
	 * subscription's content filters ({@code build-id} with {@code ids}, the connection's last id per channel, and
	 * {@code var-subst} with the subscription meta).
	 */
	protected final @Nullable Content filtered(ChannelSubscription subscription, @Nullable List<String> contentFilters,
			Content content, Map<String, String> ids) {
		if (!ContentFilters.accepts(contentFilters, subscription.filters())) {
			dropped(DropReason.CONTENT_FILTERS);
			return null;
		}
		if (!ContentFilters.rewritesContent(subscription.filters())) {
			return content;
		}
		// Pushpin renders every channel of the connection, an empty value where it follows no id; by the names the
		// origin's id_format knows, without the application's prefix
		Map<String, String> vars = new LinkedHashMap<>();
		ChannelNamespace namespace = this.namespace;
		for (String name : channelNames()) {
			vars.put(namespace.fromBus(name), ids.getOrDefault(name, ""));
		}
		try {
			return ContentFilters.apply(subscription.filters(), meta(), vars, content);
		}
		catch (ContentFilterException ex) {
			dropped(DropReason.FILTER_ERROR);
			if (logger.isDebugEnabled()) {
				logger.debug("Dropping an item on channel '" + subscription.name() + "': " + ex.getMessage());
			}
			return null;
		}
	}

	/**
	 * Catches this connection up from channel history, if it follows a channel history covers: called once, as it is
	 * registered. Nothing by default (WebSockets follow no prev-ids).
	 */
	protected void catchUp() {
	}

	/** A published item that waits for something before the connection takes it: a next-link fetch, a history read. */
	protected record Pending(PublishItem item, long publishedAtMillis) {
	}

	/**
	 * Whether the connection already has {@code item}: its id is the last one the connection got on its channel
	 * ({@code ids}), from a next-link page or a history replay that overtook the publish, or as its hold's prev-id
	 * given by an origin whose store is ahead of its publishes. Such an item is a repeat, not a gap: asking the origin
	 * again would bring nothing new.
	 */
	static boolean alreadyHas(Map<String, String> ids, PublishItem item) {
		String id = item.id();
		return id != null && id.equals(ids.get(item.channel()));
	}

	/** The followed channels {@code history} covers, with the connection's last id on each ({@code ids}). */
	static Map<String, String> covered(ChannelHistory history, Map<String, String> ids) {
		Map<String, String> covered = new LinkedHashMap<>();
		ids.forEach((channel, id) -> {
			if (history.covers(channel)) {
				covered.put(channel, id);
			}
		});
		return covered;
	}

	/** What {@code history} says of each channel of {@code covered} after its id, channel by channel. */
	static Mono<List<Replay>> lookUp(ChannelHistory history, Map<String, String> covered) {
		return Flux.fromIterable(covered.entrySet())
			.concatMap(entry -> history.after(entry.getKey(), entry.getValue()))
			.collectList();
	}

	/** Reports items sent to this connection from history rather than from a publish or its origin. */
	protected final void replayed(int items) {
		if (items > 0) {
			this.listener.replayed(kind(), items);
		}
	}

	/** Reports that history could not prove what this connection missed, so it recovers from its origin. */
	protected final void replayFellBack() {
		this.listener.replayFellBack(kind());
	}

	protected final void recoveryStarted(RecoveryCause cause) {
		this.listener.recoveryStarted(kind(), cause);
	}

	protected final void recoveryEnded(RecoveryCause cause, boolean succeeded) {
		this.listener.recoveryEnded(kind(), cause, succeeded);
	}

	/** Records why this hold ends; only the first reason counts. */
	protected final void endWith(HoldOutcome reason) {
		this.outcome.compareAndSet(null, reason);
	}

	/** Why this hold ended; {@link HoldOutcome#CLIENT_GONE} when nothing else recorded a reason. */
	HoldOutcome outcome() {
		HoldOutcome recorded = this.outcome.get();
		return (recorded != null) ? recorded : HoldOutcome.CLIENT_GONE;
	}

	/** Reports a published message as handed to the client now; call as close to the write as possible. */
	protected final void delivered(long publishedAtMillis) {
		this.listener.delivered(kind(), publishedAtMillis);
	}

	/** Reports a message addressed to this connection that it will not deliver. */
	protected final void dropped(DropReason reason) {
		this.listener.dropped(kind(), reason);
	}

	/** Reports this connection's queue overflowing; it is then ended as {@link HoldOutcome#EVICTED_SLOW}. */
	protected final void overflowed() {
		endWith(HoldOutcome.EVICTED_SLOW);
		this.listener.overflow(kind());
	}

}
