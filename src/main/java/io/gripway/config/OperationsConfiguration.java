package io.gripway.config;

import io.gripway.bus.MessageBus;
import io.gripway.gateway.Recoveries;
import io.gripway.hold.HoldListener;
import io.gripway.hold.HoldRegistry;
import io.gripway.lifecycle.BusHealthIndicator;
import io.gripway.lifecycle.DrainingConnectionCloseFilter;
import io.gripway.lifecycle.GracefulDrain;
import io.gripway.metrics.Instrumentation;
import io.gripway.metrics.OriginMetricsFilter;
import io.gripway.publish.endpoint.PublishListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;

/**
 * Running Gripway in production: its meters, the bus health indicator the readiness group includes, and the graceful
 * drain at shutdown. Kept apart from {@link GripwayConfiguration}, which only consumes the two listeners.
 */
@Configuration(proxyBeanMethods = false)
class OperationsConfiguration {

	@Bean
	HoldListener holdMetricsListener(MeterRegistry registry) {
		return Instrumentation.holdListener(registry);
	}

	@Bean
	PublishListener publishMetricsListener(MeterRegistry registry) {
		return Instrumentation.publishListener(registry);
	}

	@Bean
	MeterBinder gripwayNodeGauges(HoldRegistry holds, MessageBus bus, GripwayProperties properties) {
		return Instrumentation.nodeGauges(holds, bus, properties.bus().type().toString());
	}

	@Bean
	MeterBinder gripwayRecoveryMeters(Recoveries recoveries) {
		return Instrumentation.recoveries(recoveries);
	}

	@Bean
	OriginMetricsFilter originMetricsFilter(MeterRegistry registry) {
		return new OriginMetricsFilter(registry);
	}

	/** Named "bus": the readiness group in application.yml includes it by that name. */
	@Bean("bus")
	BusHealthIndicator busHealthIndicator(MessageBus bus, GripwayProperties properties) {
		return new BusHealthIndicator(bus, properties.bus().type().toString(),
				properties.health().busAffectsReadiness());
	}

	/** Depends on the publish server so that it is stopped first: publishes keep flowing while it drains. */
	@Bean
	@DependsOn("publishServer")
	GracefulDrain gracefulDrain(HoldRegistry registry, ApplicationEventPublisher events,
			GripwayProperties properties) {
		GripwayProperties.Drain drain = properties.drain();
		return new GracefulDrain(registry, events, drain.window(), drain.flushTimeout());
	}

	@Bean
	DrainingConnectionCloseFilter drainingConnectionCloseFilter(HoldRegistry registry) {
		return new DrainingConnectionCloseFilter(registry);
	}

}
