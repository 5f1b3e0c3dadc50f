package io.gripway.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart's Gripway container, rendered by helm (helm-java) and read back: what the chart asks of the image,
 * and the same translated into {@code podman run} flags, as a kubelet would apply it. The tests take every value from
 * the rendered chart, so a change to the chart is tested against the image without being copied here.
 */
record ChartContainer(Map<String, Object> deployment, Map<String, Object> container, String applicationYml) {

	static final Path CHART = Path.of("helm/gripway");

	/** Renders the chart as {@code helm template} would with {@code values} ({@code --set key=value} each). */
	static ChartContainer render(Map<String, Object> values) {
		TemplateCommand command = new Helm(CHART).template().withName("gripway");
		for (Map.Entry<String, Object> value : values.entrySet()) {
			command = command.set(value.getKey(), value.getValue());
		}
		Map<String, Object> deployment = null;
		String applicationYml = null;
		for (Object document : new Yaml().loadAll(command.call())) {
			if (document instanceof Map<?, ?> manifest) {
				if ("Deployment".equals(manifest.get("kind")) && "gripway".equals(at(manifest, "metadata.name"))) {
					deployment = map(manifest);
				}
				if ("ConfigMap".equals(manifest.get("kind")) && "gripway-config".equals(at(manifest, "metadata.name"))) {
					applicationYml = (String) map(manifest.get("data")).get("application.yml");
				}
			}
		}
		if (deployment == null || applicationYml == null) {
			throw new AssertionError("the chart rendered no Deployment gripway or ConfigMap gripway-config");
		}
		List<Object> containers = list(at(deployment, "spec.template.spec.containers"));
		return new ChartContainer(deployment, map(containers.get(0)), applicationYml);
	}

	/** {@code env}, by name. */
	Map<String, String> env() {
		Map<String, String> env = new LinkedHashMap<>();
		for (Object variable : list(this.container.get("env"))) {
			env.put((String) map(variable).get("name"), String.valueOf(map(variable).get("value")));
		}
		return env;
	}

	/** {@code ports}: containerPort by name. */
	Map<String, Integer> ports() {
		Map<String, Integer> ports = new LinkedHashMap<>();
		for (Object port : list(this.container.get("ports"))) {
			ports.put((String) map(port).get("name"), (Integer) map(port).get("containerPort"));
		}
		return ports;
	}

	/** The HTTP path of a probe ({@code startupProbe}, {@code livenessProbe}, {@code readinessProbe}). */
	String probePath(String probe) {
		return (String) at(this.container, probe + ".httpGet.path");
	}

	/** The port a probe's HTTP GET goes to, the named port resolved. */
	int probePort(String probe) {
		Object port = at(this.container, probe + ".httpGet.port");
		return port instanceof Integer number ? number : ports().get((String) port);
	}

	long runAsUser() {
		Object user = at(this.container, "securityContext.runAsUser");
		return ((Number) (user != null ? user : at(this.deployment, "spec.template.spec.securityContext.runAsUser")))
			.longValue();
	}

	int terminationGracePeriodSeconds() {
		return (Integer) at(this.deployment, "spec.template.spec.terminationGracePeriodSeconds");
	}

	/** The preStop hook's command, or an empty list. */
	List<String> preStop() {
		Object command = at(this.container, "lifecycle.preStop.exec.command");
		return command == null ? List.of() : list(command).stream().map(String::valueOf).toList();
	}

	String memoryLimit() {
		return (String) at(this.container, "resources.limits.memory");
	}

	/** Where the volume named {@code name} is mounted, and the volume itself. */
	Map<String, Object> volume(String name) {
		for (Object volume : list(at(this.deployment, "spec.template.spec.volumes"))) {
			if (name.equals(map(volume).get("name"))) {
				return map(volume);
			}
		}
		throw new AssertionError("no volume " + name);
	}

	String mountPath(String volume) {
		for (Object mount : list(this.container.get("volumeMounts"))) {
			if (volume.equals(map(mount).get("name"))) {
				return (String) map(mount).get("mountPath");
			}
		}
		throw new AssertionError("no volumeMount of " + volume);
	}

	/**
	 * The container's settings as {@code podman run} flags: the environment, the security context (read-only root,
	 * no new privileges, capabilities dropped; the user is the image's own, which the tests compare with
	 * {@code runAsUser}), the memory limit, every {@code emptyDir} as a tmpfs of its size limit and every ConfigMap
	 * as a read-only bind mount of its files (written under {@code work}). Networking is the host's: the container
	 * ports are the ports the container listens on.
	 */
	List<String> podmanRunFlags(Path work) {
		List<String> flags = new ArrayList<>();
		for (Map.Entry<String, String> variable : env().entrySet()) {
			flags.add("--env=" + variable.getKey() + "=" + variable.getValue());
		}
		if (Boolean.TRUE.equals(at(this.container, "securityContext.readOnlyRootFilesystem"))) {
			flags.add("--read-only");
		}
		if (Boolean.FALSE.equals(at(this.container, "securityContext.allowPrivilegeEscalation"))) {
			flags.add("--security-opt=no-new-privileges");
		}
		Object drop = at(this.container, "securityContext.capabilities.drop");
		if (drop != null) {
			for (Object capability : list(drop)) {
				flags.add("--cap-drop=" + capability);
			}
		}
		flags.add("--memory=" + memoryLimit().replace("Mi", "m").replace("Gi", "g"));
		for (Object mount : list(this.container.get("volumeMounts"))) {
			String name = (String) map(mount).get("name");
			String path = (String) map(mount).get("mountPath");
			Map<String, Object> volume = volume(name);
			if (volume.containsKey("emptyDir")) {
				Object size = at(volume, "emptyDir.sizeLimit");
				flags.add("--tmpfs=" + path + ":rw,mode=1777"
						+ (size != null ? ",size=" + String.valueOf(size).replace("Mi", "m") : ""));
			}
			else if (volume.containsKey("configMap")) {
				flags.add("--volume=" + configMapFiles(work.resolve(name)) + ":" + path + ":ro");
			}
			else {
				throw new AssertionError("no podman equivalent for volume " + volume);
			}
		}
		return flags;
	}

	private Path configMapFiles(Path directory) {
		try {
			Files.createDirectories(directory);
			Files.writeString(directory.resolve("application.yml"), this.applicationYml);
			return directory;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static Object at(Object root, String dottedPath) {
		Object current = root;
		for (String key : dottedPath.split("\\.")) {
			if (!(current instanceof Map<?, ?> map)) {
				return null;
			}
			current = map.get(key);
		}
		return current;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Object value) {
		if (!(value instanceof Map<?, ?>)) {
			throw new AssertionError("not a map: " + value);
		}
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	static List<Object> list(Object value) {
		if (!(value instanceof List<?>)) {
			throw new AssertionError("not a list: " + value);
		}
		return (List<Object>) value;
	}

}
