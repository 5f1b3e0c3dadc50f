package io.gripway.hold;

import java.util.Collection;
import java.util.Collections;
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
 * time; it must not block. Everything else is immutable after construction.
 */
public abstract class Hold {

	private final Map<String, ChannelSubscription> channels;

	private final Map<String, String> meta;

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

	/** The transport this hold belongs to, for metrics and logs. */
	public abstract HoldKind kind();

	/**
	 * Hands one published item to this connection, already past the channel's filters. Must not block.
	 * @param item the item; the hold picks the format for its transport and ignores the item if it has none
	 * @param publishedAtMillis when the publish API accepted the item
	 */
	protected abstract void deliver(PublishItem item, long publishedAtMillis);

}
