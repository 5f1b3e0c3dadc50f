package io.gripway.container;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Await;
import io.gripway.test.FreePorts;
import io.gripway.test.Management;
import io.gripway.test.PublishJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster of {@code docker-compose.yml}, up for real: Redis and the two Gripway replicas (each with its demo
 * origin) from the file, run with podman by {@link ComposeCluster} on Gripway's image and the locally made base for
 * Redis. A hold on replica 1 is released by a publish to replica 2; with Redis stopped publishes get 503 and
 * readiness goes DOWN; with Redis started again delivery is back. Prometheus and Grafana are not started: their
 * images cannot be pulled on CI, and nothing of Gripway's depends on them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeClusterIntegrationTests {

	/** The images the file names, and what runs for each here. */
	static final String GRIPWAY_IMAGE = "gripway:local";

	static final String REDIS_IMAGE = "redis:7-alpine";

	static ComposeCluster cluster;

	static final Replica one = new Replica("gripway-1");

	static final Replica two = new Replica("gripway-2");

	static int redisPort;

	/** One Gripway replica's ports on the host: the file's published ports, moved to free ones. */
	record Replica(String service, int proxy, int publish, int management, int demo) {

		Replica(String service) {
			this(service, FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next());
		}

		/** Where the file publishes each container port (7999, 5561, 8081), the application listens here. */
		void adapt(ComposeCluster.Container container) {
			container.environment.put("SERVER_PORT", String.valueOf(this.proxy));
			container.environment.put("GRIPWAY_PUBLISH_PORT", String.valueOf(this.publish));
			container.environment.put("MANAGEMENT_SERVER_PORT", String.valueOf(this.management));
			// each replica's demo origin on "its own loopback", which on the host's network must be its own port
			container.environment.put("GRIPWAY_DEMO_PORT", String.valueOf(this.demo));
			container.command.replaceAll(argument -> argument.replace("redis:6379", "redis:" + redisPort));
		}

	}

	@BeforeAll
	static void up() {
		Podman.require();
		String gripway = GripwayImage.ensure();
		String base = BaseImage.ensure();
		redisPort = FreePorts.next();
		cluster = new ComposeCluster("gripway-test-compose-" + ProcessHandle.current().pid());
		assertThat(cluster.definition("gripway-1").get("image")).isEqualTo(GRIPWAY_IMAGE);
		assertThat(cluster.definition("gripway-2").get("image")).isEqualTo(GRIPWAY_IMAGE);
		assertThat(cluster.definition("redis").get("image")).isEqualTo(REDIS_IMAGE);
		assertThat(ports("gripway-1")).containsExactly("7999:7999", "5561:5561", "8081:8081");
		assertThat(ports("gripway-2")).containsExactly("8000:7999", "5562:5561", "8082:8081");
		cluster.up(List.of(new ComposeCluster.Service("redis", base, container -> {
			container.command.addAll(List.of("--port", String.valueOf(redisPort)));
			container.healthcheck.addAll(1, List.of("-p", String.valueOf(redisPort)));
		}), new ComposeCluster.Service("gripway-1", gripway, one::adapt),
				new ComposeCluster.Service("gripway-2", gripway, two::adapt)));
		for (Replica replica : List.of(one, two)) {
			Await.until(Duration.ofMinutes(2),
					() -> Management.status(replica.management(), "/actuator/health/readiness") == 200,
					() -> replica.service() + " ready; logs:\n" + cluster.logs(replica.service()));
		}
	}

	@AfterAll
	static void down() {
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	@Order(1)
	void holdOnReplicaOneIsReleasedByAPublishToReplicaTwo() throws Exception {
		CompletableFuture<HttpResponse<String>> held = Http.getLater(one.proxy(), "/response?channel=cluster",
				Duration.ofSeconds(60));
		Await.until("long-poll held on replica 1", Duration.ofSeconds(20), () -> Http.held(one.management(), "response") == 1);
		HttpResponse<String> published = Http.publish(two.publish(), PublishJson.response("cluster", "via redis\\n"));
		assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
		HttpResponse<String> response = held.get(20, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("via redis\n");
	}

	@Test
	@Order(2)
	void withRedisStoppedPublishesGet503AndReadinessGoesDown() {
		Podman.ok(Duration.ofMinutes(1), "stop", "--time", "5", cluster.container("redis"));
		for (Replica replica : List.of(one, two)) {
			Await.until(Duration.ofSeconds(30),
					() -> Http.publish(replica.publish(), PublishJson.response("cluster", "lost\\n")).statusCode() == 503,
					() -> "503 from " + replica.service() + "'s publish API with Redis stopped");
			Await.until(Duration.ofSeconds(30),
					() -> Management.status(replica.management(), "/actuator/health/readiness") == 503,
					() -> replica.service() + " readiness DOWN with Redis stopped");
		}
	}

	@Test
	@Order(3)
	void withRedisStartedAgainDeliveryIsRestored() throws Exception {
		Podman.ok(Duration.ofMinutes(1), "start", cluster.container("redis"));
		for (Replica replica : List.of(one, two)) {
			Await.until(Duration.ofSeconds(60),
					() -> Management.status(replica.management(), "/actuator/health/readiness") == 200,
					() -> replica.service() + " ready again; logs:\n" + cluster.logs(replica.service()));
		}
		CompletableFuture<HttpResponse<String>> held = Http.getLater(two.proxy(), "/response?channel=restored",
				Duration.ofSeconds(90));
		Await.until("long-poll held on replica 2", Duration.ofSeconds(20), () -> Http.held(two.management(), "response") == 1);
		// replica 2 renews its subscription after the reconnect; until then a publish that Redis accepted reaches
		// no one there (the bus says so, as a gap), so publish until one arrives
		Await.until(Duration.ofSeconds(30), () -> {
			HttpResponse<String> published = Http.publish(one.publish(), PublishJson.response("restored", "back\\n"));
			assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
			try {
				held.get(1, TimeUnit.SECONDS);
				return true;
			}
			catch (Exception notYet) {
				return false;
			}
		}, () -> "a publish to replica 1 reaching the hold on replica 2 after Redis restarted");
		assertThat(held.get().body()).isEqualTo("back\n");
	}

	private static List<String> ports(String service) {
		return ChartContainer.list(cluster.definition(service).get("ports")).stream().map(String::valueOf).toList();
	}

}
