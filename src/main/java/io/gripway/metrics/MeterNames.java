package io.gripway.metrics;

import java.util.List;

import io.gripway.hold.Transport;

/**
 * Every Gripway meter name and tag key, in Micrometer's dotted form. Prometheus shows them with underscores, counters
 * with a {@code _total} suffix and timers in seconds ({@code gripway.delivery.latency} becomes
 * {@code gripway_delivery_latency_seconds_bucket}); {@code docs/operations.md} lists each with its meaning.
 */
public final class MeterNames {

	/** Gauge: connections held on this node now. Tag {@link #MODE}. */
	public static final String HELD_CONNECTIONS = "gripway.held.connections";

	/** Gauge: channels with at least one held connection on this node. */
	public static final String CHANNELS = "gripway.channels";

	/** Counter: holds registered. Tag {@link #MODE}. */
	public static final String HOLDS_STARTED = "gripway.holds.started";

	/** Counter: holds ended. Tags {@link #MODE}, {@link #OUTCOME} (a {@code HoldOutcome} tag). */
	public static final String HOLDS_ENDED = "gripway.holds.ended";

	/** Counter: holds refused with 503. Tags {@link #MODE}, {@link #REASON} ({@code limit}, {@code draining}). */
	public static final String HOLDS_REFUSED = "gripway.holds.refused";

	/** Counter: publish requests. Tags {@link #OUTCOME} (accepted, rejected, unavailable), {@link #REASON}. */
	public static final String PUBLISH_REQUESTS = "gripway.publish.requests";

	/** Counter: publish items received. Tag {@link #OUTCOME} (accepted, unavailable). */
	public static final String PUBLISH_ITEMS = "gripway.publish.items";

	/** Counter: messages handed to client connections. Tag {@link #FORMAT}. */
	public static final String MESSAGES_DELIVERED = "gripway.messages.delivered";

	/** Timer with histogram: publish API receipt (any node) to the bytes handed to the client. Tag {@link #FORMAT}. */
	public static final String DELIVERY_LATENCY = "gripway.delivery.latency";

	/** Counter: messages not delivered to a connection they were addressed to. Tags {@link #MODE}, {@link #REASON}. */
	public static final String MESSAGES_DROPPED = "gripway.messages.dropped";

	/** Counter: per-connection queue overflows; each disconnects a slow consumer. Tag {@link #MODE}. */
	public static final String QUEUE_OVERFLOWS = "gripway.queue.overflows";

	/** Gauge: 1 when the bus can relay publishes, 0 when not. Tag {@link #BUS_TYPE}. */
	public static final String BUS_AVAILABLE = "gripway.bus.available";

	/** Counter: items received from the bus for delivery on this node. */
	public static final String BUS_RECEIVED = "gripway.bus.messages.received";

	/** Counter: bus messages that could not be decoded. */
	public static final String BUS_MALFORMED = "gripway.bus.messages.malformed";

	/** Counter: items the bus itself lost or discarded. */
	public static final String BUS_DROPPED = "gripway.bus.messages.dropped";

	/** Counter: bus reconnections. */
	public static final String BUS_RECONNECTS = "gripway.bus.reconnects";

	/** Gauge: channels subscribed on the bus now. */
	public static final String BUS_SUBSCRIPTIONS = "gripway.bus.subscriptions";

	/** Gauge: publish batches waiting for this node's delivery thread (the node's lag behind the bus). */
	public static final String BUS_PENDING = "gripway.bus.pending";

	/** Timer: origin requests, to the origin's response headers. Tags {@link #ROUTE}, {@link #STATUS}. */
	public static final String ORIGIN_REQUESTS = "gripway.origin.requests";

	/** Counter: plain requests the passthrough fast path relayed; the others took the gateway's filter chain. */
	public static final String PASSTHROUGH_FAST = "gripway.passthrough.fast";

	/** Counter: times this node may have missed bus items (subscription back up, a drop, an unreadable message). */
	public static final String BUS_GAPS = "gripway.bus.gaps";

	/** Gauge: published items waiting for the items before them (prev-id ordering). */
	public static final String SEQUENCER_WAITING = "gripway.sequencer.waiting";

	/** Counter: published items that waited for a gap in their channel's prev-id order. */
	public static final String SEQUENCER_WAITED = "gripway.sequencer.waited";

	/** Counter: waiting items let out because their wait ({@code gripway.hold.message-wait}) passed. */
	public static final String SEQUENCER_EXPIRED = "gripway.sequencer.expired";

	/** Counter: items the sequencer dropped (a second item on the same prev-id, over 100 waiting on a channel). */
	public static final String SEQUENCER_DROPPED = "gripway.sequencer.dropped";

	/** Counter: connections that went back to their origin for what they missed. Tags {@link #MODE}, {@link #CAUSE}. */
	public static final String RECOVERIES_STARTED = "gripway.recoveries.started";

	/**
	 * Counter: recoveries that ended. Tags {@link #MODE}, {@link #CAUSE}, {@link #OUTCOME} ({@code succeeded},
	 * {@code failed}).
	 */
	public static final String RECOVERIES_ENDED = "gripway.recoveries.ended";

	/** Gauge: recoveries waiting for their turn in the recovery rate limit. */
	public static final String RECOVERIES_WAITING = "gripway.recoveries.waiting";

	/** Counter: next-link requests sent to origins, retries included. */
	public static final String LINK_FETCHES = "gripway.links.fetches";

	/** Counter: next-link requests retried after a failure. */
	public static final String LINK_RETRIES = "gripway.links.retries";

	/** Counter: next-link fetches that shared an identical request already in flight. */
	public static final String LINK_COLLAPSED = "gripway.links.collapsed";

	/** Counter: items sent to connections from channel history, without asking their origin. Tag {@link #MODE}. */
	public static final String HISTORY_REPLAYED = "gripway.history.replayed";

	/** Counter: catch-ups where history could not prove what was missed, so the origin was asked. Tag {@link #MODE}. */
	public static final String HISTORY_FALLBACKS = "gripway.history.fallbacks";

	/** Gauge: 1 while the node drains its connections at shutdown. */
	public static final String DRAINING = "gripway.draining";

	public static final String MODE = "mode";

	public static final String OUTCOME = "outcome";

	public static final String REASON = "reason";

	public static final String FORMAT = "format";

	public static final String BUS_TYPE = "type";

	public static final String ROUTE = "route";

	public static final String STATUS = "status";

	public static final String CAUSE = "cause";

	/** {@link #REASON} value where the outcome has none. */
	public static final String NO_REASON = "none";

	/** Every meter name above, for checks that dashboards and docs only name meters that exist. */
	public static final List<String> ALL = List.of(HELD_CONNECTIONS, CHANNELS, HOLDS_STARTED, HOLDS_ENDED,
			HOLDS_REFUSED, PUBLISH_REQUESTS, PUBLISH_ITEMS, MESSAGES_DELIVERED, DELIVERY_LATENCY, MESSAGES_DROPPED,
			QUEUE_OVERFLOWS, BUS_AVAILABLE, BUS_RECEIVED, BUS_MALFORMED, BUS_DROPPED, BUS_RECONNECTS, BUS_SUBSCRIPTIONS,
			BUS_PENDING, ORIGIN_REQUESTS, PASSTHROUGH_FAST, DRAINING, BUS_GAPS, SEQUENCER_WAITING, SEQUENCER_WAITED,
			SEQUENCER_EXPIRED, SEQUENCER_DROPPED, RECOVERIES_STARTED, RECOVERIES_ENDED, RECOVERIES_WAITING, LINK_FETCHES,
			LINK_RETRIES, LINK_COLLAPSED, HISTORY_REPLAYED, HISTORY_FALLBACKS);

	private MeterNames() {
	}

	/** The publish format a transport delivers, as the {@link #FORMAT} tag: GRIP's format names. */
	public static String format(Transport kind) {
		if (kind == Transport.RESPONSE) {
			return "http-response";
		}
		return (kind == Transport.STREAM) ? "http-stream" : "ws-message";
	}

}
