package io.gripway.config;

import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code gripway.apps} that cannot keep applications apart refuse to start, naming the property; applications that
 * can get their routes.
 */
@ExtendWith(NettyLeakCheck.class)
class AppsStartupIntegrationTests {

	@Test
	void anAppNameWithTheSeparatorRefusesToStart() {
		assertThatThrownBy(() -> GripwayInstance
			.start("gripway.apps[0].name=a:b", "gripway.apps[0].routes[0].uri=http://127.0.0.1:1",
					"gripway.apps[0].routes[0].paths[0]=/a/**")
			.close()).hasStackTraceContaining("gripway.apps[0].name")
			.hasStackTraceContaining("'a:b' must be letters");
	}

	@Test
	void anAppRouteMatchingEverythingRefusesToStart() {
		assertThatThrownBy(() -> GripwayInstance
			.start("gripway.apps[0].name=a", "gripway.apps[0].routes[0].uri=http://127.0.0.1:1")
			.close()).hasStackTraceContaining("gripway.apps[0].routes[0] needs hosts or paths");
	}

	@Test
	void twoAppsWithTheSameNameRefuseToStart() {
		assertThatThrownBy(() -> GripwayInstance.start("gripway.apps[0].name=a", "gripway.apps[1].name=a").close())
			.hasStackTraceContaining("Application 'a' is configured twice");
	}

	@Test
	void publisherNamesAreUniqueAcrossApps() {
		assertThatThrownBy(() -> GripwayInstance
			.start("gripway.publish.auth.publishers[0].name=backend", "gripway.publish.auth.publishers[0].token=t1",
					"gripway.apps[0].name=a", "gripway.apps[0].publishers[0].name=backend",
					"gripway.apps[0].publishers[0].token=t2")
			.close()).hasStackTraceContaining("gripway.apps[0].publishers[0].name 'backend' is used twice");
	}

	@Test
	void appsStartWithTheirRoutes() {
		try (GripwayInstance gripway = GripwayInstance.start("gripway.apps[0].name=a",
				"gripway.apps[0].routes[0].uri=http://127.0.0.1:1", "gripway.apps[0].routes[0].hosts[0]=a.example",
				"gripway.apps[0].routes[0].paths[0]=/a/**")) {
			assertThat(gripway.context()
				.getBean(org.springframework.cloud.gateway.route.RouteLocator.class)
				.getRoutes()
				.filter((route) -> route.getId().equals("gripway-app-a-0"))
				.map((route) -> route.getMetadata().get("gripway-app"))
				.collectList()
				.block()).containsExactly("a");
		}
	}

}
