package io.gripway.container;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.gripway.test.Await;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker-compose.yml} run with podman directly: each service the test names becomes one {@code podman run}
 * built from the file's {@code image}, {@code command}, {@code environment}, {@code read_only}, {@code tmpfs},
 * {@code stop_grace_period}, {@code restart} and {@code healthcheck}, started in {@code depends_on} order, and a
 * dependency with {@code condition: service_healthy} is waited for by running its health check.
 * <p>
 * <b>Why not podman-compose.</b> Debian 12's {@code podman-compose} (1.0.3) cannot run this file on CI's machines:
 * there is no container networking there, only the host's, and it adds its own network to every container even with
 * {@code network_mode: host}; it cannot start a subset of the services (Prometheus' and Grafana's images cannot be
 * pulled there); and it ignores {@code depends_on} conditions.
 * <p>
 * <b>On the host's network</b> services cannot each have their own 7999 or 6379, so the test gives every service a
 * {@link Service#adapt} step that moves it to free ports (for Gripway the {@code SERVER_PORT}-style variables the Helm
 * chart also uses; for Redis {@code --port}); service names resolve to 127.0.0.1 ({@code --add-host}). Everything
 * else is the file's.
 */
final class ComposeCluster implements AutoCloseable {

	static final Path FILE = Path.of("docker-compose.yml");

	/** How one service of the file is started: its image here, and its move to the host's network. */
	record Service(String name, String image, Consumer<Container> adapt) {
	}

	/** One service's {@code podman run}, as read from the file, for {@link Service#adapt} to change. */
	static final class Container {

		final List<String> command;

		final Map<String, String> environment;

		final List<String> healthcheck;

		Container(List<String> command, Map<String, String> environment, List<String> healthcheck) {
			this.command = command;
			this.environment = environment;
			this.healthcheck = healthcheck;
		}

	}

	private final Map<String, Object> services;

	private final String project;

	private final List<String> started = new ArrayList<>();

	ComposeCluster(String project) {
		this.project = project;
		try (Reader reader = Files.newBufferedReader(FILE)) {
			Map<String, Object> file = new Yaml().load(reader);
			this.services = ChartContainer.map(file.get("services"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The file's definition of a service (with YAML anchors and merges resolved). */
	Map<String, Object> definition(String service) {
		return ChartContainer.map(this.services.get(service));
	}

	/** The container name of a service. */
	String container(String service) {
		return this.project + "-" + service;
	}

	/** Starts the services in the order given, each after the dependencies the file names for it. */
	void up(List<Service> toStart) {
		for (Service service : toStart) {
			Map<String, Object> definition = definition(service.name());
			Object dependsOn = definition.get("depends_on");
			if (dependsOn instanceof Map<?, ?> dependencies) {
				for (Map.Entry<?, ?> dependency : dependencies.entrySet()) {
					String name = (String) dependency.getKey();
					if (!this.started.contains(container(name))) {
						throw new AssertionError(service.name() + " depends on " + name + ", which was not started");
					}
					if ("service_healthy".equals(ChartContainer.at(dependency.getValue(), "condition"))) {
						Await.until(name + " healthy", Duration.ofSeconds(60), () -> Podman
							.run(Duration.ofSeconds(30), List.of("healthcheck", "run", container(name)))
							.exitCode() == 0);
					}
				}
			}
			start(service, definition);
		}
	}

	private void start(Service service, Map<String, Object> definition) {
		List<String> command = strings(definition.get("command"));
		Map<String, String> environment = new LinkedHashMap<>();
		Object env = definition.get("environment");
		if (env instanceof Map<?, ?> variables) {
			variables.forEach((name, value) -> environment.put(String.valueOf(name), String.valueOf(value)));
		}
		List<String> healthcheck = new ArrayList<>();
		Object test = ChartContainer.at(definition, "healthcheck.test");
		if (test != null) {
			healthcheck.addAll(strings(test));
			if (!healthcheck.isEmpty() && healthcheck.get(0).equals("CMD")) {
				healthcheck.remove(0);
			}
		}
		Container container = new Container(command, environment, healthcheck);
		service.adapt().accept(container);

		List<String> run = new ArrayList<>(List.of("run", "--detach", "--name=" + container(service.name()),
				"--label=" + Podman.LABEL, "--label=com.docker.compose.project=" + this.project,
				"--label=com.docker.compose.service=" + service.name(), "--network=host"));
		for (String other : this.services.keySet()) {
			run.add("--add-host=" + other + ":127.0.0.1");
		}
		if (Boolean.TRUE.equals(definition.get("read_only"))) {
			run.add("--read-only");
		}
		for (String tmpfs : strings(definition.get("tmpfs"))) {
			run.add("--tmpfs=" + tmpfs);
		}
		if (definition.get("stop_grace_period") != null) {
			run.add("--stop-timeout=" + seconds(String.valueOf(definition.get("stop_grace_period"))));
		}
		if (definition.get("restart") != null) {
			run.add("--restart=" + definition.get("restart"));
		}
		container.environment.forEach((name, value) -> run.add("--env=" + name + "=" + value));
		if (!container.healthcheck.isEmpty()) {
			// podman runs it on demand (podman healthcheck run), which is how depends_on waits for it here
			run.add("--health-cmd=" + String.join(" ", container.healthcheck));
			run.add("--health-interval=disable");
		}
		run.add(service.image());
		run.addAll(container.command);
		Podman.removeContainers(List.of(container(service.name())));
		this.started.add(container(service.name()));
		Podman.ok(Duration.ofMinutes(1), run);
	}

	static long seconds(String duration) {
		if (duration.endsWith("ms")) {
			return Long.parseLong(duration.substring(0, duration.length() - 2)) / 1000;
		}
		if (duration.endsWith("m")) {
			return Long.parseLong(duration.substring(0, duration.length() - 1)) * 60;
		}
		return Long.parseLong(duration.replace("s", ""));
	}

	private static List<String> strings(Object value) {
		if (value == null) {
			return new ArrayList<>();
		}
		if (value instanceof String single) {
			return new ArrayList<>(List.of(single));
		}
		return new ArrayList<>(ChartContainer.list(value).stream().map(String::valueOf).toList());
	}

	String logs(String service) {
		return Podman.tail(Podman.run(Duration.ofSeconds(30), List.of("logs", container(service))).output(), 4000);
	}

	/** Removes every container this cluster started. */
	@Override
	public void close() {
		Podman.removeContainers(this.started);
	}

}
