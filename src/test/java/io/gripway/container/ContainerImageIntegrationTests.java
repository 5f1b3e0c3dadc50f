package io.gripway.container;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import static org.assertj.core.api.Assertions.within;

/**
 * Gripway's image, built from the Dockerfile and run with podman the way the Helm chart runs it: the chart is rendered
 * (one replica, in-memory bus, the demo origin as its {@code origin}) and its container's environment, security
 * context, memory limit, {@code /tmp} emptyDir and {@code /config} ConfigMap become {@code podman run} flags
 * ({@link ChartContainer}). Then the probes, the proxy, the publish API and the metrics answer, and a shutdown as
 * the kubelet does it (the preStop hook, then SIGTERM through {@code podman stop}) drains a held long-poll and exits
 * within the chart's grace period.
 * <p>
 * The host's network is used (no container networking on CI), so the chart is rendered with free ports instead of
 * 7999/5561/8081: the chart passes them to the application as it does its defaults (the {@code *_PORT}
 * environment variables), which is part of what is checked. Needs podman (CI installs it: {@code .ci/run}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageIntegrationTests {

	static final String NAME = "gripway-test-image-" + ProcessHandle.current().pid();

	static ChartContainer chart;

	static int proxyPort;

	static int publishPort;

	static int managementPort;

	static String image;

	@BeforeAll
	static void startTheImageAsTheChartRunsIt() {
		Podman.require();
		image = GripwayImage.ensure();
		proxyPort = FreePorts.next();
		publishPort = FreePorts.next();
		managementPort = FreePorts.next();
		int demoPort = FreePorts.next();
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("replicaCount", 1);
		values.put("redis.enabled", false);
		values.put("ports.http", proxyPort);
		values.put("ports.publish", publishPort);
		values.put("ports.management", managementPort);
		// the chart's origin goes to the ConfigMap's application.yml, read from /config in the container
		values.put("origin", "http://127.0.0.1:" + demoPort);
		chart = ChartContainer.render(values);
		List<String> run = new ArrayList<>(List.of("run", "--detach", "--name=" + NAME, "--label=" + Podman.LABEL,
				"--network=host"));
		run.addAll(chart.podmanRunFlags(Podman.WORK.resolve(NAME)));
		// the demo origin (as extraEnv would add it), on a free port too
		run.addAll(List.of("--env=SPRING_PROFILES_ACTIVE=demo", "--env=GRIPWAY_DEMO_PORT=" + demoPort, image));
		Podman.removeContainers(List.of(NAME));
		Podman.ok(Duration.ofMinutes(1), run);
		String startup = chart.probePath("startupProbe");
		Await.until(Duration.ofMinutes(2),
				() -> !running() || Management.status(chart.probePort("startupProbe"), startup) == 200,
				() -> "startup probe " + startup + "; logs:\n" + logs());
		assertThat(running()).as("container running; logs:\n%s", logs()).isTrue();
	}

	@AfterAll
	static void remove() {
		if (chart != null) {
			Podman.removeContainers(List.of(NAME));
		}
	}

	@Test
	@Order(1)
	void probesAnswerUpOnTheChartsPathsAndPort() {
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			HttpResponse<String> response = Management.get(chart.probePort(probe), chart.probePath(probe));
			assertThat(response.statusCode()).as(probe).isEqualTo(200);
			assertThat(response.body()).as(probe).contains("\"status\":\"UP\"");
		}
		assertThat(chart.probePath("readinessProbe")).isEqualTo("/actuator/health/readiness");
	}

	@Test
	@Order(2)
	void runsAsTheChartsNonRootUserOnAReadOnlyRootWithAWritableTmp() {
		assertThat(Podman.ok(Duration.ofSeconds(30), "exec", NAME, "id", "-u"))
			.isEqualTo(String.valueOf(chart.runAsUser()));
		// numeric in the image, so Kubernetes' runAsNonRoot can check it without resolving a name
		assertThat(Podman.ok(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Config.User}}", image))
			.isEqualTo(chart.runAsUser() + ":" + chart.runAsUser());
		assertThat(Podman.run(Duration.ofSeconds(30), List.of("exec", NAME, "touch", "/app/written")).output())
			.contains("Read-only file system");
		String tmp = chart.mountPath("tmp");
		assertThat(Podman.run(Duration.ofSeconds(30), List.of("exec", NAME, "touch", tmp + "/written")).exitCode())
			.isZero();
		// the JVM's own use of the emptyDir: its perf data (hsperfdata_<user>) lives there
		assertThat(Podman.ok(Duration.ofSeconds(30), "exec", NAME, "ls", tmp)).contains("hsperfdata_");
	}

	@Test
	@Order(3)
	void jvmRunsWithTheChartsOptions() {
		String options = chart.env().get("JAVA_TOOL_OPTIONS");
		assertThat(logs()).contains("Picked up JAVA_TOOL_OPTIONS: " + options);
		Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(options);
		assertThat(percentage.find()).as("MaxRAMPercentage in " + options).isTrue();
		long limit = Long.parseLong(chart.memoryLimit().replace("Mi", "")) * 1024 * 1024;
		double expected = limit * Integer.parseInt(percentage.group(1)) / 100.0;
		double heap = 0;
		for (String line : Management.get(managementPort, "/actuator/prometheus").body().split("\n")) {
			if (line.startsWith("jvm_memory_max_bytes{") && line.contains("area=\"heap\"")) {
				// the pools together: with the serial collector the young generation is a pool of its own
				heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		// the heap is sized from the container's memory limit, as the chart's comment promises
		assertThat(heap).as("heap pools together").isCloseTo(expected, within(expected * 0.03));
	}

	@Test
	@Order(3)
	void jvmStartsFromTheClassDataSharingArchiveTheImageMade() {
		// made by the Dockerfile's training run; with the chart's options it fits, so the JVM maps it (one that does
		// not fit is unmapped again, and the JVM logs a warning)
		assertThat(Podman.ok(Duration.ofSeconds(30), "exec", NAME, "cat", "/proc/1/maps")).contains("/app/gripway.jsa");
		assertThat(logs()).doesNotContain("Unable to use shared archive");
	}

	@Test
	@Order(4)
	void imageExposesTheChartsDefaultContainerPorts() {
		Map<String, Object> defaults = Map.of("replicaCount", 1, "redis.enabled", false);
		String exposed = Podman.ok(Duration.ofSeconds(30), "image", "inspect", "--format",
				"{{range $port, $_ := .Config.ExposedPorts}}{{$port}} {{end}}", image);
		assertThat(exposed.split(" ")).containsExactlyInAnyOrderElementsOf(
				ChartContainer.render(defaults).ports().values().stream().map(port -> port + "/tcp").toList());
	}

	@Test
	@Order(5)
	void demoOriginAnswersThroughTheProxy() {
		// "/" is the demo page; any other plain path gets the origin's greeting, passed through untouched
		HttpResponse<String> response = Http.get(proxyPort, "/hello");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("Hello from the Gripway demo origin!\n");
	}

	@Test
	@Order(6)
	void longPollIsReleasedByAPublish() throws Exception {
		CompletableFuture<HttpResponse<String>> held = Http.getLater(proxyPort, "/response?channel=image",
				Duration.ofSeconds(60));
		Await.until("long-poll held", Duration.ofSeconds(20), () -> Http.held(managementPort, "response") == 1);
		HttpResponse<String> published = Http.publish(publishPort,
				PublishJson.response("image", "hello from the container\\n"));
		assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
		HttpResponse<String> response = held.get(20, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("hello from the container\n");
	}

	@Test
	@Order(7)
	void prometheusAnswersWithGripwaysMeters() {
		HttpResponse<String> scrape = Management.get(managementPort, "/actuator/prometheus");
		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(scrape.body()).contains("gripway_held_connections{", "jvm_memory_used_bytes{");
	}

	@Test
	@Order(100)
	void preStopThenSigtermDrainsTheHeldLongPollAndExitsWithinTheGracePeriod() throws Exception {
		CompletableFuture<HttpResponse<String>> held = Http.getLater(proxyPort, "/response?channel=drain",
				Duration.ofSeconds(90));
		Await.until("long-poll held", Duration.ofSeconds(20), () -> Http.held(managementPort, "response") == 1);
		int grace = chart.terminationGracePeriodSeconds();
		long started = System.nanoTime();
		// as the kubelet does: the preStop hook, then SIGTERM, then SIGKILL when the grace period is over
		List<String> preStop = chart.preStop();
		if (!preStop.isEmpty()) {
			List<String> exec = new ArrayList<>(List.of("exec", NAME));
			exec.addAll(preStop);
			Podman.ok(Duration.ofSeconds(grace), exec);
		}
		long remaining = grace - Duration.ofNanos(System.nanoTime() - started).toSeconds();
		Podman.ok(Duration.ofSeconds(grace + 30), "stop", "--time", String.valueOf(remaining), NAME);
		long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();

		HttpResponse<String> response = held.get(10, TimeUnit.SECONDS);
		// the demo origin's answer, which Gripway keeps as the long-poll's timeout response
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("nothing for now\n");
		String exitCode = Podman.ok(Duration.ofSeconds(30), "inspect", "--format", "{{.State.ExitCode}}", NAME);
		assertThat(exitCode).as("exit code (143: the JVM ended on SIGTERM); logs:\n%s", logs()).isIn("0", "143");
		assertThat(seconds).as("seconds from preStop to exit").isLessThan(grace);
		assertThat(logs()).contains("Drained in");
	}

	private static boolean running() {
		return "true".equals(Podman.run(Duration.ofSeconds(30),
				List.of("inspect", "--format", "{{.State.Running}}", NAME)).trimmed());
	}

	private static String logs() {
		return Podman.tail(Podman.run(Duration.ofSeconds(30), List.of("logs", NAME)).output(), 6000);
	}

}
