package io.gripway.hold;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.PublishItem;
import org.jspecify.annotations.Nullable;

/**
 * One held connection as the registry sees it: the channels it listens on, its subscription meta, and where published
 * items go. Subclasses decide which format they take and how it reaches the client.
 *
 * <h3>Thread safety</h3> {@link #deliver} is called by the registry from the bus's delivery thread, one item at a
 * time; it must not block. Channels and meta are immutable maps in volatile fields: a hold whose channels change
 * (a WebSocket, through {@link HoldRegistry#subscribe}) gets a new map per change, made under a lock of the hold's
 * own, so the delivery thread reads them without locking.
 */
public abstract class Hold {

	private volatile Map<String, ChannelSubscription> channels;

	private volatile Map<String, String> meta;

	/** Serializes changes to channels and meta; not {@code this}, which subclasses lock for their own emission. */
	final Object changeLock = new Object();

	// set by HoldRegistry#unregister under changeLock; from then on no channel may be added
	private boolean ended;

	protected Hold(List<ChannelSubscription> channels, Map<String, String> meta) {
		Map<String, ChannelSubscription> byName = new LinkedHashMap<>();
		for (ChannelSubscription channel : channels) {
			byName.putIfAbsent(channel.name(), channel);
		}
		this.channels = Map.copyOf(byName);
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
	public abstract HoldKind kind();

	/**
	 * Hands one published item to this connection, already past the channel's filters. Must not block.
	 * @param item the item; the hold picks the format for its transport and ignores the item if it has none
	 * @param publishedAtMillis when the publish API accepted the item
	 */
	protected abstract void deliver(PublishItem item, long publishedAtMillis);

}
