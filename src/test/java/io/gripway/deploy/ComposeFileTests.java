package io.gripway.deploy;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gripway.test.ApplicationDefaults;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml, the Prometheus and Grafana files it mounts, and the Dockerfile, checked for consistency with
 * each other and with application.yml (no Docker engine is needed, or available, to run these).
 */
class ComposeFileTests {

	static final List<String> REPLICAS = List.of("gripway-1", "gripway-2");

	static final ApplicationDefaults app = ApplicationDefaults.load();

	static Map<String, Object> services;

	@BeforeAll
	static void load() throws Exception {
		services = Yamls.map(Yamls.at(yaml(Path.of("docker-compose.yml")), "services"));
	}

	static Object yaml(Path file) throws Exception {
		try (Reader reader = Files.newBufferedReader(file)) {
			return new Yaml().load(reader);
		}
	}

	static Map<String, Object> service(String name) {
		assertThat(services).containsKey(name);
		return Yamls.map(services.get(name));
	}

	static List<String> strings(Object list) {
		return Yamls.list(list).stream().map(String::valueOf).toList();
	}

	/** "host:container" port mappings of a service, as container port to host port. */
	static Map<Integer, Integer> ports(String name) {
		Map<Integer, Integer> ports = new java.util.HashMap<>();
		for (String mapping : strings(service(name).get("ports"))) {
			String[] parts = mapping.split(":");
			ports.put(Integer.parseInt(parts[1]), Integer.parseInt(parts[0]));
		}
		return ports;
	}

	/** The host path of a service's bind mount whose container path is {@code target}. */
	static Path mounted(String name, String target) {
		for (String volume : strings(service(name).get("volumes"))) {
			String[] parts = volume.split(":");
			if (parts[1].equals(target)) {
				return Path.of(parts[0]);
			}
		}
		throw new AssertionError(name + " mounts nothing at " + target);
	}

	@Test
	void topologyIsRedisTwoReplicasPrometheusAndGrafana() {
		assertThat(services.keySet().stream().filter((name) -> !service(name).containsKey("profiles")))
			.containsExactlyInAnyOrder("redis", "gripway-1", "gripway-2", "prometheus", "grafana");
	}

	@Test
	void clusterProfileRunsTwoReplicasOnAThreeMasterRedisClusterWithShardedPubSub() {
		List<String> profiled = services.keySet()
			.stream()
			.filter((name) -> strings(service(name).getOrDefault("profiles", List.of())).contains("cluster"))
			.toList();
		assertThat(profiled).containsExactlyInAnyOrder("redis-cluster-1", "redis-cluster-2", "redis-cluster-3",
				"redis-cluster-init", "gripway-cluster-1", "gripway-cluster-2");
		for (String node : List.of("redis-cluster-1", "redis-cluster-2", "redis-cluster-3")) {
			assertThat(strings(service(node).get("command"))).as(node).containsSequence("--cluster-enabled", "yes");
		}
		assertThat(String.valueOf(service("redis-cluster-init").get("entrypoint"))).contains("--cluster create",
				"--cluster-yes");
		for (String replica : List.of("gripway-cluster-1", "gripway-cluster-2")) {
			assertThat(strings(service(replica).get("command"))).as(replica)
				.contains("--gripway.bus.type=redis-cluster",
						"--gripway.bus.redis.url=redis://redis-cluster-1:6379,redis://redis-cluster-2:6379");
			assertThat(Yamls.map(service(replica).get("depends_on"))).containsKey("redis-cluster-init");
			assertThat(service(replica).get("read_only")).isEqualTo(true);
		}
		assertThat(strings(service("gripway-cluster-1").get("ports"))).doesNotContainAnyElementsOf(
				strings(service("gripway-1").get("ports")));
	}

	@Test
	void replicasShareRedisAsTheirBusAndRunTheDemoOrigin() {
		for (String replica : REPLICAS) {
			List<String> command = strings(service(replica).get("command"));
			assertThat(command).as(replica).contains("--gripway.bus.type=redis",
					"--gripway.bus.redis.url=redis://redis:6379", "--gripway.publish.address=0.0.0.0",
					"--gripway.publish.allow-anonymous=true",
					"--spring.profiles.active=demo");
			assertThat(Yamls.map(service(replica).get("depends_on"))).containsKey("redis");
			assertThat(service(replica).get("read_only")).isEqualTo(true);
			assertThat(strings(service(replica).get("tmpfs"))).contains("/tmp");
		}
	}

	@Test
	void replicasPublishTheApplicationsPortsOnDistinctHostPorts() {
		Set<Integer> hostPorts = new HashSet<>();
		for (String replica : REPLICAS) {
			Map<Integer, Integer> ports = ports(replica);
			assertThat(ports.keySet()).as(replica)
				.containsExactlyInAnyOrder(app.proxyPort(), app.publishPort(), app.managementPort());
			for (int host : ports.values()) {
				assertThat(hostPorts.add(host)).as("host port " + host + " used once").isTrue();
			}
		}
		for (String other : List.of("prometheus", "grafana")) {
			for (int host : ports(other).values()) {
				assertThat(hostPorts.add(host)).as("host port " + host + " used once").isTrue();
			}
		}
	}

	@Test
	void stopGracePeriodExceedsTheDrain() {
		Duration drain = app.drainWindow()
			.plus(DurationStyle.detectAndParse(String.valueOf(app.get("gripway.drain.flush-timeout"))))
			.plus(DurationStyle.detectAndParse(String.valueOf(app.get("spring.lifecycle.timeout-per-shutdown-phase"))));
		for (String replica : REPLICAS) {
			Duration grace = DurationStyle.detectAndParse(String.valueOf(service(replica).get("stop_grace_period")));
			assertThat(grace).as(replica).isGreaterThan(drain);
		}
	}

	@Test
	void prometheusScrapesBothReplicasManagementPorts() throws Exception {
		Path config = mounted("prometheus", "/etc/prometheus/prometheus.yml");
		List<Map<String, Object>> jobs = Yamls.maps(Yamls.at(yaml(config), "scrape_configs"));
		Map<String, Object> job = jobs.stream()
			.filter(j -> "gripway".equals(j.get("job_name")))
			.findFirst()
			.orElseThrow();
		assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
		List<String> targets = new ArrayList<>();
		for (Map<String, Object> staticConfig : Yamls.maps(job.get("static_configs"))) {
			targets.addAll(strings(staticConfig.get("targets")));
		}
		assertThat(targets).containsExactlyInAnyOrderElementsOf(
				REPLICAS.stream().map(replica -> replica + ":" + app.managementPort()).toList());
	}

	@Test
	void grafanaIsProvisionedWithPrometheusAndTheChartsDashboard() throws Exception {
		Path provisioning = mounted("grafana", "/etc/grafana/provisioning");
		Map<String, Object> datasource = Yamls.maps(
				Yamls.at(yaml(provisioning.resolve("datasources/prometheus.yml")), "datasources")).get(0);
		assertThat(datasource).containsEntry("type", "prometheus")
			.containsEntry("url", "http://prometheus:" + ports("prometheus").keySet().iterator().next());
		Map<String, Object> provider = Yamls.maps(
				Yamls.at(yaml(provisioning.resolve("dashboards/gripway.yml")), "providers")).get(0);
		String dashboardPath = (String) Yamls.at(provider, "options.path");
		Path dashboards = mounted("grafana", dashboardPath);
		assertThat(dashboards).isEqualTo(Path.of("./helm/gripway/dashboards"));
		assertThat(dashboards.resolve("gripway.json")).isRegularFile();
	}

	@Test
	void dockerfileBuildsWithTheWrapperRunsOnAJreAsNonRootAndExposesThePorts() throws Exception {
		List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
		// the base images are build arguments (ARG NAME=default before the first FROM): check their defaults
		Map<String, String> args = new HashMap<>();
		lines.stream()
			.filter(line -> line.matches("ARG \\w+=\\S+"))
			.forEach(line -> args.put(line.substring(4, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
		List<String> froms = lines.stream()
			.filter(line -> line.startsWith("FROM "))
			.map(line -> {
				String resolved = line;
				for (Map.Entry<String, String> arg : args.entrySet()) {
					resolved = resolved.replace("${" + arg.getKey() + "}", arg.getValue());
				}
				return resolved;
			})
			.toList();
		assertThat(froms).hasSizeGreaterThanOrEqualTo(2);
		assertThat(froms.get(0)).contains("eclipse-temurin:17-jdk");
		assertThat(froms.get(froms.size() - 1)).contains("eclipse-temurin:17-jre");
		assertThat(lines).anyMatch(line -> line.contains("./mvnw"));
		String user = lines.stream().filter(line -> line.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
		assertThat(user.substring(5).split(":")[0]).isNotIn("0", "root");
		String expose = lines.stream().filter(line -> line.startsWith("EXPOSE ")).findFirst().orElseThrow();
		assertThat(expose.substring(7).trim().split("\\s+")).containsExactlyInAnyOrder(
				String.valueOf(app.proxyPort()), String.valueOf(app.publishPort()),
				String.valueOf(app.managementPort()));
	}

}
