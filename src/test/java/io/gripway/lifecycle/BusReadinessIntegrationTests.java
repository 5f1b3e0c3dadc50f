package io.gripway.lifecycle;

import io.gripway.bus.MessageBus;
import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.Management;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A bus that cannot relay publishes takes the node out of readiness, unless configured not to; liveness stays UP. */
class BusReadinessIntegrationTests {

	@Test
	void busDownMakesReadinessDownButNotLiveness() throws Exception {
		try (GripwayInstance gripway = GripwayInstance.start()) {
			int management = gripway.managementPort();
			assertThat(Management.status(management, "/actuator/health/readiness")).isEqualTo(200);
			stopBus(gripway);
			Await.until("readiness DOWN", Duration.ofSeconds(5),
					() -> Management.status(management, "/actuator/health/readiness") == 503);
			assertThat(Management.status(management, "/actuator/health/liveness")).isEqualTo(200);
		}
	}

	@Test
	void busDownLeavesReadinessUpWhenConfiguredSo() throws Exception {
		try (GripwayInstance gripway = GripwayInstance.start("gripway.health.bus-affects-readiness=false")) {
			int management = gripway.managementPort();
			stopBus(gripway);
			assertThat(gripway.context().getBean(MessageBus.class).isAvailable()).isFalse();
			assertThat(Management.status(management, "/actuator/health/readiness")).isEqualTo(200);
		}
	}

	private static void stopBus(GripwayInstance gripway) throws Exception {
		// the in-memory bus is unavailable once closed, as the Redis bus is while disconnected
		((AutoCloseable) gripway.context().getBean(MessageBus.class)).close();
	}

}
