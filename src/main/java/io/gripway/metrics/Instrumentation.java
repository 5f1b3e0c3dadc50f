package io.gripway.metrics;

import io.gripway.bus.MessageBus;
import io.gripway.gateway.Recoveries;
import io.gripway.hold.HoldListener;
import io.gripway.hold.HoldRegistry;
import io.gripway.publish.endpoint.PublishListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** Makes the Micrometer implementations, whose classes stay package-private: configuration wires them. */
public final class Instrumentation {

	private Instrumentation() {
	}

	/** Counts hold starts, endings, refusals, deliveries with their latency, overflows and drops. */
	public static HoldListener holdListener(MeterRegistry registry) {
		return new MicrometerHoldListener(registry);
	}

	/** Counts publish requests and items by outcome. */
	public static PublishListener publishListener(MeterRegistry registry) {
		return new MicrometerPublishListener(registry);
	}

	/** Next-link fetches, their retries and collapses, and the recoveries waiting for their turn. */
	public static MeterBinder recoveries(Recoveries recoveries) {
		return registry -> {
			FunctionCounter.builder(MeterNames.LINK_FETCHES, recoveries, Recoveries::linkFetches)
				.description("Next-link requests sent to origins, retries included")
				.register(registry);
			FunctionCounter.builder(MeterNames.LINK_RETRIES, recoveries, Recoveries::linkRetries)
				.description("Next-link requests retried after a failure")
				.register(registry);
			FunctionCounter.builder(MeterNames.LINK_COLLAPSED, recoveries, Recoveries::collapsedFetches)
				.description("Next-link fetches that shared an identical request in flight")
				.register(registry);
			Gauge.builder(MeterNames.RECOVERIES_WAITING, recoveries, Recoveries::waitingRecoveries)
				.description("Recoveries waiting for their turn in the recovery rate limit")
				.register(registry);
		};
	}

	/** Gauges of the node's held connections, drain state and bus. */
	public static MeterBinder nodeGauges(HoldRegistry holds, MessageBus bus, String busType) {
		return new NodeGauges(holds, bus, busType);
	}

}
