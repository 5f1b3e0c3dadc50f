package io.gripway.metrics;

import io.gripway.bus.MessageBus;
import io.gripway.hold.HoldListener;
import io.gripway.hold.HoldRegistry;
import io.gripway.publish.PublishListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** Makes the Micrometer implementations, whose classes stay package-private: configuration wires them. */
public final class GripwayMeters {

	private GripwayMeters() {
	}

	/** Counts hold starts, endings, refusals, deliveries with their latency, overflows and drops. */
	public static HoldListener holdListener(MeterRegistry registry) {
		return new MicrometerHoldListener(registry);
	}

	/** Counts publish requests and items by outcome. */
	public static PublishListener publishListener(MeterRegistry registry) {
		return new MicrometerPublishListener(registry);
	}

	/** Gauges of the node's held connections, drain state and bus. */
	public static MeterBinder nodeGauges(HoldRegistry holds, MessageBus bus, String busType) {
		return new NodeGauges(holds, bus, busType);
	}

}
