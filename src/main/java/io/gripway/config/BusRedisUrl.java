package io.gripway.config;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The Redis URL of the bus: {@code gripway.bus.redis.url} when given, else one made from Spring Boot's own
 * {@code spring.data.redis.*} settings (so a platform binding or a shared {@code application.yml} that configures
 * Redis for Spring Data also configures Gripway), else {@code redis://127.0.0.1:6379}. One place decides, so the
 * default is written once.
 *
 * <p>
 * Spring Boot's {@code RedisConnectionDetails} bean (which Testcontainers' {@code @ServiceConnection} provides) lives
 * in Boot's Data Redis module, which Gripway does not depend on; only the properties are read. Pass
 * {@code gripway.bus.redis.url} (e.g. from {@code @DynamicPropertySource}) there instead.
 */
final class BusRedisUrl {

	static final String DEFAULT = "redis://127.0.0.1:6379";

	private BusRedisUrl() {
	}

	/**
	 * @param configured {@code gripway.bus.redis.url}, or {@code null}
	 * @param cluster whether the bus is {@code redis-cluster}, which prefers {@code spring.data.redis.cluster.nodes}
	 */
	static String resolve(@Nullable String configured, boolean cluster, Environment environment) {
		if (configured != null && !configured.isBlank()) {
			return configured;
		}
		Binder binder = Binder.get(environment);
		String url = binder.bind("spring.data.redis.url", String.class).orElse(null);
		String user = binder.bind("spring.data.redis.username", String.class).orElse(null);
		String password = binder.bind("spring.data.redis.password", String.class).orElse(null);
		boolean ssl = binder.bind("spring.data.redis.ssl.enabled", Boolean.class).orElse(false);
		String userInfo = userInfo(user, password);
		List<String> clusterNodes = binder.bind("spring.data.redis.cluster.nodes", Bindable.listOf(String.class))
			.orElse(List.of());
		if (cluster && !clusterNodes.isEmpty()) {
			String scheme = ssl ? "rediss://" : "redis://";
			return String.join(",", clusterNodes.stream().map((node) -> scheme + userInfo + node).toList());
		}
		if (url != null && !url.isBlank()) {
			return url;
		}
		int database = binder.bind("spring.data.redis.database", Integer.class).orElse(0);
		String master = binder.bind("spring.data.redis.sentinel.master", String.class).orElse(null);
		List<String> sentinels = binder.bind("spring.data.redis.sentinel.nodes", Bindable.listOf(String.class))
			.orElse(List.of());
		if (master != null && !sentinels.isEmpty()) {
			// Lettuce's form; the password is the data node's, as Spring Data's own Lettuce configuration uses it
			return (ssl ? "rediss-sentinel://" : "redis-sentinel://") + userInfo + String.join(",", sentinels) + "/"
					+ database + "#" + master;
		}
		String host = binder.bind("spring.data.redis.host", String.class).orElse(null);
		Integer port = binder.bind("spring.data.redis.port", Integer.class).orElse(null);
		if (host == null && port == null && userInfo.isEmpty()) {
			return DEFAULT;
		}
		return (ssl ? "rediss://" : "redis://") + userInfo + ((host != null) ? host : "127.0.0.1") + ":"
				+ ((port != null) ? port : 6379) + "/" + database;
	}

	private static String userInfo(@Nullable String user, @Nullable String password) {
		if (password == null || password.isEmpty()) {
			return "";
		}
		return ((user != null && !user.isEmpty()) ? user + ":" : "") + password + "@";
	}

}
