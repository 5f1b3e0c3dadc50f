package io.gripway.lifecycle;

import io.gripway.bus.MessageBus;
import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.Management;
import io.gripway.test.PublishJson;
import io.gripway.test.RedisServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bus that cannot relay publishes takes the node out of readiness, unless configured not to; liveness stays UP. A
 * Redis that comes back brings readiness back.
 */
class BusReadinessIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(30);

	@Test
	void redisOutageMakesReadinessDownAndItsReturnUpAgainWhileLivenessStaysUp() throws Exception {
		// its own server, whatever REDIS_URL says: the test stops and restarts it
		try (RedisServer redis = RedisServer.ownedStarted();
				GripwayInstance gripway = GripwayInstance.start("gripway.bus.type=redis",
						"gripway.bus.redis.url=" + redis.url(), "gripway.bus.redis.command-timeout=500ms")) {
			int management = gripway.managementPort();
			Await.until("readiness UP with Redis up", WAIT,
					() -> Management.status(management, "/actuator/health/readiness") == 200);
			redis.stop();
			Await.until("readiness DOWN while Redis is down", WAIT,
					() -> Management.status(management, "/actuator/health/readiness") == 503);
			assertThat(Management.status(management, "/actuator/health/liveness")).isEqualTo(200);
			assertThat(gripway.publish(PublishJson.response("readiness", "x")).statusCode()).isEqualTo(503);

			redis.start();
			Await.until("readiness UP again once Redis is back", WAIT,
					() -> Management.status(management, "/actuator/health/readiness") == 200);
			assertThat(Management.status(management, "/actuator/health/liveness")).isEqualTo(200);
			// UP means it: publishes are relayed again
			assertThat(gripway.publish(PublishJson.response("readiness", "x")).statusCode()).isEqualTo(200);
		}
	}

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
