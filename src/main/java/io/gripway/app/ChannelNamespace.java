package io.gripway.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import io.gripway.instruct.ChannelSubscription;
import io.gripway.instruct.HoldInstruction;
import io.gripway.instruct.Instruct;

/**
 * Where one application's channels live on the bus: its channel {@code news} is {@code <app>:news} there, so another
 * application's {@code news} never meets it. Origins and publishers only ever see the names without the prefix; the
 * prefix is added where a name comes in ({@link #toBus}: GRIP instructions, WebSocket control messages, publishes)
 * and removed where one goes out ({@link #fromBus}: {@code Grip-Last}, the ids {@code build-id} renders).
 *
 * <p>
 * Application names cannot contain the separator, so one application's names can never reach into another's. The
 * {@link #NONE} namespace (routes and publishers outside {@code gripway.apps}) is the bus itself: it reaches every
 * application's channels by their prefixed names, which is the operator's privilege.
 *
 * <p>
 * Pure: no Spring, no Reactor.
 *
 * @param prefix what is put before each channel name on the bus; empty for {@link #NONE}
 */
public record ChannelNamespace(String prefix) {

	/** The bus's own names, unchanged: everything outside {@code gripway.apps}. */
	public static final ChannelNamespace NONE = new ChannelNamespace("");

	/** Between an application's name and its channel's. */
	public static final char SEPARATOR = ':';

	private static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

	public ChannelNamespace {
		Objects.requireNonNull(prefix, "prefix");
	}

	/**
	 * The namespace of application {@code app}.
	 * @throws IllegalArgumentException when the name is empty or has a character other than letters, digits,
	 * {@code _ . -}
	 */
	public static ChannelNamespace of(String app) {
		if (!APP_NAME.matcher(app).matches()) {
			throw new IllegalArgumentException("Application name '" + app
					+ "' must be letters, digits, '_', '.' or '-' (it prefixes channel names on the bus)");
		}
		return new ChannelNamespace(app + SEPARATOR);
	}

	public boolean isNone() {
		return this.prefix.isEmpty();
	}

	/** The bus name of this namespace's channel {@code channel}. */
	public String toBus(String channel) {
		return this.prefix.concat(channel);
	}

	/**
	 * The name an origin or publisher knows {@code busChannel} by; a name outside this namespace (which none of its
	 * connections can hold) is returned as it is.
	 */
	public String fromBus(String busChannel) {
		return busChannel.startsWith(this.prefix) ? busChannel.substring(this.prefix.length()) : busChannel;
	}

	/** {@code byChannel} with each key {@linkplain #fromBus from the bus}, in the same order. */
	public Map<String, String> fromBus(Map<String, String> byChannel) {
		if (isNone()) {
			return byChannel;
		}
		Map<String, String> result = new LinkedHashMap<>();
		byChannel.forEach((channel, value) -> result.put(fromBus(channel), value));
		return result;
	}

	/** An origin's instruction with its hold's channels {@linkplain #toBus on the bus}; all else unchanged. */
	public Instruct toBus(Instruct instruct) {
		HoldInstruction hold = instruct.hold();
		if (isNone() || hold == null) {
			return instruct;
		}
		List<ChannelSubscription> channels = new ArrayList<>(hold.channels().size());
		for (ChannelSubscription channel : hold.channels()) {
			channels.add(new ChannelSubscription(toBus(channel.name()), channel.prevId(), channel.filters()));
		}
		return new Instruct(new HoldInstruction(hold.mode(), channels, hold.timeout(), hold.keepAlive()),
				instruct.response(), instruct.meta(), instruct.next(), instruct.goneLink());
	}

	@Override
	public String toString() {
		return isNone() ? "ChannelNamespace[none]" : "ChannelNamespace[" + this.prefix + "]";
	}

}
