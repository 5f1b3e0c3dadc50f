package io.gripway.metrics;

import java.util.function.ToDoubleFunction;

import io.gripway.bus.BusStats;
import io.gripway.bus.MessageBus;
import io.gripway.hold.Transport;
import io.gripway.hold.HoldRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The node's state, read when scraped: held connections by mode, channels, draining, and the bus (available, plus the
 * {@link BusStats} counters when the bus implements them). Reading is a few volatile loads; nothing is sampled on the
 * hot path.
 */
final class NodeGauges implements MeterBinder {

	private final HoldRegistry holds;

	private final MessageBus bus;

	private final String busType;

	NodeGauges(HoldRegistry holds, MessageBus bus, String busType) {
		this.holds = holds;
		this.bus = bus;
		this.busType = busType;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (Transport kind : Transport.values()) {
			Gauge.builder(MeterNames.HELD_CONNECTIONS, this.holds, holds -> holds.heldCount(kind))
				.description("Connections held on this node")
				.tag(MeterNames.MODE, kind.tag())
				.register(registry);
		}
		Gauge.builder(MeterNames.CHANNELS, this.holds, HoldRegistry::channelCount)
			.description("Channels with at least one held connection on this node")
			.register(registry);
		Gauge.builder(MeterNames.DRAINING, this.holds, holds -> holds.isDraining() ? 1 : 0)
			.description("1 while this node drains its connections at shutdown")
			.register(registry);
		Gauge.builder(MeterNames.BUS_AVAILABLE, this.bus, bus -> bus.isAvailable() ? 1 : 0)
			.description("1 when the bus can relay publishes")
			.tag(MeterNames.BUS_TYPE, this.busType)
			.register(registry);
		// a bus without stats reports zeros, so dashboards and alerts work the same for every bus type
		BusStats stats = (this.bus instanceof BusStats busStats) ? busStats : new BusStats() {
		};
		counter(registry, MeterNames.BUS_RECEIVED, stats, BusStats::receivedCount);
		counter(registry, MeterNames.BUS_MALFORMED, stats, BusStats::malformedCount);
		counter(registry, MeterNames.BUS_DROPPED, stats, BusStats::droppedCount);
		counter(registry, MeterNames.BUS_RECONNECTS, stats, BusStats::reconnectCount);
		counter(registry, MeterNames.BUS_GAPS, stats, BusStats::gapCount);
		Gauge.builder(MeterNames.SEQUENCER_WAITING, this.holds, holds -> holds.sequencerCounts().waiting())
			.description("Published items waiting for the items before them")
			.register(registry);
		FunctionCounter.builder(MeterNames.SEQUENCER_WAITED, this.holds, holds -> holds.sequencerCounts().waited())
			.register(registry);
		FunctionCounter
			.builder(MeterNames.SEQUENCER_EXPIRED, this.holds, holds -> holds.sequencerCounts().releasedByTimer())
			.register(registry);
		FunctionCounter.builder(MeterNames.SEQUENCER_DROPPED, this.holds, holds -> holds.sequencerCounts().dropped())
			.register(registry);
		Gauge.builder(MeterNames.BUS_SUBSCRIPTIONS, stats, BusStats::subscribedChannels)
			.tag(MeterNames.BUS_TYPE, this.busType)
			.register(registry);
		Gauge.builder(MeterNames.BUS_PENDING, stats, BusStats::pendingDeliveries)
			.tag(MeterNames.BUS_TYPE, this.busType)
			.register(registry);
	}

	private void counter(MeterRegistry registry, String name, BusStats stats, ToDoubleFunction<BusStats> count) {
		FunctionCounter.builder(name, stats, count).tag(MeterNames.BUS_TYPE, this.busType).register(registry);
	}

}
