package io.gripway.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.gripway.test.ApplicationDefaults;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart, linted and rendered for real by the helm library (helm-java), and the rendered manifests checked
 * against the application's own defaults in application.yml.
 */
class HelmChartTests {

	static final Path CHART = Path.of("helm/gripway");

	static final ApplicationDefaults app = ApplicationDefaults.load();

	/** One rendered manifest. */
	record Manifest(String kind, String name, Map<String, Object> body) {

		Object at(String dottedPath) {
			return Yamls.at(this.body, dottedPath);
		}

	}

	static List<Manifest> render(UnaryOperator<TemplateCommand> values) {
		String rendered = values.apply(new Helm(CHART).template().withName("edge")).call();
		List<Manifest> manifests = new ArrayList<>();
		for (Object document : new Yaml().loadAll(rendered)) {
			if (document instanceof Map<?, ?> map) {
				@SuppressWarnings("unchecked")
				Map<String, Object> body = (Map<String, Object>) map;
				manifests.add(new Manifest((String) body.get("kind"), (String) Yamls.at(body, "metadata.name"), body));
			}
		}
		return manifests;
	}

	static List<Manifest> render() {
		return render(command -> command);
	}

	static Manifest one(List<Manifest> manifests, String kind, String name) {
		return manifests.stream()
			.filter(m -> m.kind().equals(kind) && m.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + kinds(manifests)));
	}

	static List<String> kinds(List<Manifest> manifests) {
		return manifests.stream().map(m -> m.kind() + "/" + m.name()).toList();
	}

	static Map<String, Object> container(List<Manifest> manifests) {
		List<Map<String, Object>> containers = Yamls.maps(
				one(manifests, "Deployment", "edge-gripway").at("spec.template.spec.containers"));
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	static Map<String, String> env(Map<String, Object> container) {
		Map<String, String> env = new java.util.LinkedHashMap<>();
		for (Map<String, Object> variable : Yamls.maps(container.get("env"))) {
			env.put((String) variable.get("name"), String.valueOf(variable.get("value")));
		}
		return env;
	}

	@Test
	void chartLintsCleanly() {
		LintResult result = new Helm(CHART).lint().strict().call();
		assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
	}

	@Test
	void defaultsRenderTheProxyWithRedisServicesBudgetAndDashboard() {
		List<Manifest> manifests = render();
		assertThat(kinds(manifests)).containsExactlyInAnyOrder("ConfigMap/edge-gripway-config",
				"ConfigMap/edge-gripway-dashboard", "Service/edge-gripway", "Service/edge-gripway-publish",
				"Service/edge-gripway-management", "Service/edge-gripway-redis", "Deployment/edge-gripway",
				"Deployment/edge-gripway-redis", "PodDisruptionBudget/edge-gripway", "NetworkPolicy/edge-gripway");
		assertThat(one(manifests, "Deployment", "edge-gripway").at("spec.replicas")).isEqualTo(2);
		Map<String, String> env = env(container(manifests));
		assertThat(env).containsEntry("GRIPWAY_BUS_TYPE", "redis")
			.containsEntry("GRIPWAY_BUS_REDIS_URL", "redis://edge-gripway-redis:6379")
			.containsEntry("GRIPWAY_PUBLISH_ADDRESS", "0.0.0.0")
			.containsEntry("SPRING_CONFIG_ADDITIONAL_LOCATION", "optional:file:/config/,optional:file:/secret/");
		assertThat(env.get("JAVA_TOOL_OPTIONS")).isEqualTo(JvmOptionsTests.shipped());
	}

	@Test
	void containerPortsAreTheApplicationDefaults() {
		Map<String, Object> container = container(render());
		Map<String, Integer> ports = new java.util.HashMap<>();
		for (Map<String, Object> port : Yamls.maps(container.get("ports"))) {
			ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
		}
		assertThat(ports).containsEntry("http", app.proxyPort())
			.containsEntry("publish", app.publishPort())
			.containsEntry("management", app.managementPort());
		Map<String, String> env = env(container);
		assertThat(env).containsEntry("SERVER_PORT", String.valueOf(app.proxyPort()))
			.containsEntry("GRIPWAY_PUBLISH_PORT", String.valueOf(app.publishPort()))
			.containsEntry("MANAGEMENT_SERVER_PORT", String.valueOf(app.managementPort()))
			.containsEntry("GRIPWAY_DRAIN_WINDOW", app.drainWindow().toSeconds() + "s");
	}

	@Test
	void probesUseTheActuatorGroupsOnTheManagementPort() {
		Map<String, Object> container = container(render());
		assertThat(Yamls.at(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(Yamls.at(container, "startupProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(Yamls.at(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
		for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
			assertThat(Yamls.at(container, probe + ".httpGet.port")).as(probe).isEqualTo("management");
		}
	}

	@Test
	void gracePeriodCoversPreStopDrainAndShutdown() {
		List<Manifest> manifests = render();
		int grace = (Integer) one(manifests, "Deployment", "edge-gripway")
			.at("spec.template.spec.terminationGracePeriodSeconds");
		Map<String, Object> container = container(manifests);
		List<Object> preStop = Yamls.list(Yamls.at(container, "lifecycle.preStop.exec.command"));
		int preStopSeconds = Integer.parseInt(String.valueOf(preStop.get(1)));
		assertThat(grace).isGreaterThan(preStopSeconds + (int) app.drainWindow().toSeconds());
		assertThat(grace).isEqualTo(5 + 10 + 5 + 15 + 5);
		assertThat(render(command -> command.set("drain.windowSeconds", 30).set("preStopSleepSeconds", 0))
			.stream()
			.filter(m -> m.kind().equals("Deployment") && m.name().equals("edge-gripway"))
			.findFirst()
			.orElseThrow()
			.at("spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(30 + 5 + 15 + 5);
		assertThatThrownBy(() -> render(command -> command.set("terminationGracePeriodSeconds", 12)))
			.hasMessageContaining("must exceed");
	}

	@Test
	void containerRunsAsNonRootOnAReadOnlyRootWithATmpVolume() {
		List<Manifest> manifests = render();
		Map<String, Object> container = container(manifests);
		assertThat(Yamls.at(container, "securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(Yamls.at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
		assertThat(Yamls.at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
		assertThat(one(manifests, "Deployment", "edge-gripway").at("spec.template.spec.securityContext.runAsNonRoot"))
			.isEqualTo(true);
		assertThat(Yamls.maps(container.get("volumeMounts"))).anySatisfy(mount -> {
			assertThat(mount.get("mountPath")).isEqualTo("/tmp");
			assertThat(mount.get("name")).isEqualTo("tmp");
		});
		assertThat(Yamls.maps(one(manifests, "Deployment", "edge-gripway").at("spec.template.spec.volumes")))
			.anySatisfy(volume -> assertThat(volume).containsKey("emptyDir").containsEntry("name", "tmp"));
	}

	@Test
	void publishServiceIsInternalAndServicesTargetTheNamedPorts() {
		List<Manifest> manifests = render();
		Manifest publish = one(manifests, "Service", "edge-gripway-publish");
		assertThat(publish.at("spec.type")).isEqualTo("ClusterIP");
		assertThat(Yamls.maps(publish.at("spec.ports")).get(0)).containsEntry("targetPort", "publish")
			.containsEntry("port", app.publishPort());
		assertThat(Yamls.maps(one(manifests, "Service", "edge-gripway").at("spec.ports")).get(0))
			.containsEntry("targetPort", "http");
	}

	@Test
	void autoscalerRendersOnlyWhenEnabledAndThenOwnsTheReplicaCount() {
		assertThat(kinds(render())).noneMatch(kind -> kind.startsWith("HorizontalPodAutoscaler/"));
		List<Manifest> manifests = render(command -> command.set("autoscaling.enabled", true));
		Manifest hpa = one(manifests, "HorizontalPodAutoscaler", "edge-gripway");
		assertThat(hpa.at("spec.scaleTargetRef.name")).isEqualTo("edge-gripway");
		assertThat(one(manifests, "Deployment", "edge-gripway").at("spec")).asInstanceOf(
				org.assertj.core.api.InstanceOfAssertFactories.MAP).doesNotContainKey("replicas");
	}

	@Test
	void serviceMonitorScrapesPrometheusOnTheManagementServiceWhenEnabled() {
		assertThat(kinds(render())).noneMatch(kind -> kind.startsWith("ServiceMonitor/"));
		List<Manifest> manifests = render(command -> command.set("serviceMonitor.enabled", true));
		Manifest monitor = one(manifests, "ServiceMonitor", "edge-gripway");
		Map<String, Object> endpoint = Yamls.maps(monitor.at("spec.endpoints")).get(0);
		assertThat(endpoint).containsEntry("port", "management").containsEntry("path", "/actuator/prometheus");
		Map<String, Object> selector = Yamls.map(monitor.at("spec.selector.matchLabels"));
		Map<String, Object> managementLabels = Yamls.map(
				one(manifests, "Service", "edge-gripway-management").at("metadata.labels"));
		assertThat(managementLabels).containsAllEntriesOf(selector);
		assertThat(Yamls.map(one(manifests, "Service", "edge-gripway").at("metadata.labels")))
			.doesNotContainEntry("app.kubernetes.io/part", "management");
	}

	@Test
	void redisIsBundledExternalOrAbsent() {
		List<Manifest> external = render(command -> command.set("redis.externalUrl", "redis://redis.shared:6379"));
		assertThat(kinds(external)).doesNotContain("Deployment/edge-gripway-redis", "Service/edge-gripway-redis");
		assertThat(env(container(external))).containsEntry("GRIPWAY_BUS_REDIS_URL", "redis://redis.shared:6379");

		List<Manifest> single = render(command -> command.set("redis.enabled", false).set("replicaCount", 1));
		assertThat(kinds(single)).doesNotContain("Deployment/edge-gripway-redis");
		assertThat(env(container(single))).doesNotContainKeys("GRIPWAY_BUS_TYPE", "GRIPWAY_BUS_REDIS_URL");

		assertThatThrownBy(() -> render(command -> command.set("redis.enabled", false)))
			.hasMessageContaining("several replicas need the Redis bus");
		Map<String, Object> redis = Yamls.maps(
				one(render(), "Deployment", "edge-gripway-redis").at("spec.template.spec.containers")).get(0);
		assertThat(Yamls.at(redis, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
	}

	@Test
	void externalRedisClusterOrSentinelReplacesTheBundledRedis() {
		List<Manifest> cluster = render(command -> command.set("redis.mode", "cluster")
			.set("redis.cluster.nodes[0]", "rc-0.rc:6379")
			.set("redis.cluster.nodes[1]", "rc-1.rc:6379"));
		assertThat(kinds(cluster)).doesNotContain("Deployment/edge-gripway-redis", "Service/edge-gripway-redis");
		assertThat(env(container(cluster))).containsEntry("GRIPWAY_BUS_TYPE", "redis-cluster")
			.containsEntry("GRIPWAY_BUS_REDIS_URL", "redis://rc-0.rc:6379,redis://rc-1.rc:6379")
			.containsEntry("GRIPWAY_BUS_REDIS_TOPOLOGY_REFRESH", "10s");

		List<Manifest> sentinel = render(command -> command.set("redis.mode", "sentinel")
			.set("redis.sentinel.nodes[0]", "s-0.s:26379")
			.set("redis.sentinel.nodes[1]", "s-1.s:26379")
			.set("redis.sentinel.masterName", "bus"));
		assertThat(kinds(sentinel)).doesNotContain("Deployment/edge-gripway-redis");
		assertThat(env(container(sentinel))).containsEntry("GRIPWAY_BUS_TYPE", "redis")
			.containsEntry("GRIPWAY_BUS_REDIS_URL", "redis-sentinel://s-0.s:26379,s-1.s:26379#bus");

		assertThatThrownBy(() -> render(command -> command.set("redis.mode", "cluster")))
			.hasMessageContaining("redis.cluster.nodes");
	}

	@Test
	void dashboardConfigMapCarriesTheCheckedInDashboardForGrafanasSidecar() throws Exception {
		Manifest dashboard = one(render(), "ConfigMap", "edge-gripway-dashboard");
		assertThat(Yamls.map(dashboard.at("metadata.labels"))).containsEntry("grafana_dashboard", "1");
		assertThat(dashboard.at("data.gripway\\.json"))
			.isEqualTo(Files.readString(CHART.resolve("dashboards/gripway.json")).stripTrailing());
	}

	@Test
	void routesAndOriginGoToTheMountedApplicationYml() {
		List<Manifest> manifests = render(command -> command.set("origin", "http://app.default.svc:8080")
			.set("config.gripway.hold.max-connections", 1234));
		String applicationYml = (String) one(manifests, "ConfigMap", "edge-gripway-config").at("data.application\\.yml");
		Map<String, Object> config = new Yaml().load(applicationYml);
		assertThat(Yamls.at(config, "gripway.origin")).isEqualTo("http://app.default.svc:8080");
		assertThat(Yamls.at(config, "gripway.hold.max-connections")).isEqualTo(1234);
		assertThat(Yamls.maps(container(manifests).get("volumeMounts")))
			.anySatisfy(mount -> assertThat(mount).containsEntry("mountPath", "/config"));
	}


	@Test
	void networkPolicyIsOnByDefaultAndAdmitsThePublishPortOnlyFromLabelledPeers() {
		List<Manifest> manifests = render();
		Manifest policy = one(manifests, "NetworkPolicy", "edge-gripway");
		List<Map<String, Object>> rules = Yamls.maps(policy.at("spec.ingress"));
		assertThat(rules).hasSize(2);
		assertThat(rules.get(0)).doesNotContainKey("from");
		assertThat(Yamls.maps(rules.get(0).get("ports"))).extracting((port) -> port.get("port"))
			.containsExactly("http", "management");
		assertThat(Yamls.maps(rules.get(1).get("ports"))).extracting((port) -> port.get("port"))
			.containsExactly("publish");
		assertThat(Yamls.maps(rules.get(1).get("from"))).singleElement()
			.satisfies((peer) -> assertThat(Yamls.at(peer, "podSelector.matchLabels"))
				.isEqualTo(Map.of("gripway.io/publisher", "true")));
		// without publishers, only the policy protects the port: the pods say so on purpose, and mount no Secret
		assertThat(env(container(manifests))).containsEntry("GRIPWAY_PUBLISH_ALLOW_ANONYMOUS", "true");
		assertThat(kinds(manifests)).noneMatch((kind) -> kind.startsWith("Secret/"));
		assertThat(kinds(render(command -> command.set("networkPolicy.enabled", false)
			.set("security.publishers[0].name", "app")
			.set("security.publishers[0].token", "t")))).noneMatch((kind) -> kind.startsWith("NetworkPolicy/"));
	}

	@Test
	void publisherCredentialsAndTheGripSigKeyGoToAMountedSecretNotTheEnvironment() {
		List<Manifest> manifests = render(command -> command.set("security.publishers[0].name", "backend")
			.set("security.publishers[0].iss", "backend")
			.set("security.publishers[0].key", "base64:c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXkh")
			.set("security.publishers[0].channels[0]", "app1:*")
			.set("security.signingKey", "grip-sig-key"));
		Manifest secret = one(manifests, "Secret", "edge-gripway-security");
		Map<String, Object> config = new Yaml().load((String) Yamls.map(secret.at("stringData")).get("application.yml"));
		assertThat(Yamls.at(config, "gripway.signing.key")).isEqualTo("grip-sig-key");
		Map<String, Object> publisher = Yamls.maps(Yamls.at(config, "gripway.publish.auth.publishers")).get(0);
		assertThat(publisher).containsEntry("name", "backend")
			.containsEntry("iss", "backend")
			.containsEntry("key", "base64:c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXkh")
			.containsEntry("channels", List.of("app1:*"));
		Map<String, Object> container = container(manifests);
		assertThat(env(container)).doesNotContainKey("GRIPWAY_PUBLISH_ALLOW_ANONYMOUS")
			.containsEntry("SPRING_CONFIG_ADDITIONAL_LOCATION", "optional:file:/config/,optional:file:/secret/")
			.allSatisfy((name, value) -> assertThat(value).doesNotContain("grip-sig-key"));
		assertThat(Yamls.maps(container.get("volumeMounts"))).anySatisfy(
				(mount) -> assertThat(mount).containsEntry("name", "security").containsEntry("mountPath", "/secret"));
		assertThat(Yamls.maps(one(manifests, "Deployment", "edge-gripway").at("spec.template.spec.volumes")))
			.anySatisfy((volume) -> assertThat(Yamls.at(volume, "secret.secretName")).isEqualTo("edge-gripway-security"));
		assertThat(one(manifests, "ConfigMap", "edge-gripway-config").body().toString()).doesNotContain("grip-sig-key");
	}

	@Test
	void anExistingSecretIsMountedInsteadAndAnOpenPublishPortIsRefused() {
		List<Manifest> manifests = render(command -> command.set("security.existingSecret", "my-gripway-secrets"));
		assertThat(kinds(manifests)).noneMatch((kind) -> kind.startsWith("Secret/"));
		assertThat(Yamls.maps(one(manifests, "Deployment", "edge-gripway").at("spec.template.spec.volumes")))
			.anySatisfy((volume) -> assertThat(Yamls.at(volume, "secret.secretName")).isEqualTo("my-gripway-secrets"));
		assertThatThrownBy(() -> render(command -> command.set("networkPolicy.enabled", false)))
			.hasMessageContaining("security.publishers");
	}

}
