package io.gripway.demo;

import io.gripway.test.GripwayInstance;
import org.junit.jupiter.api.Test;

import org.springframework.context.SmartLifecycle;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo origin listens before the proxy port opens, so the proxy never forwards to an origin not there yet. */
class DemoOriginLifecycleTests {

	@Test
	void demoOriginStartsBeforeTheProxyPort() {
		try (GripwayInstance gripway = GripwayInstance.start("gripway.demo.enabled=true", "gripway.demo.port=0")) {
			int demo = gripway.context().getBean(DemoOrigin.class).getPhase();
			int webServer = gripway.context().getBean("webServerStartStop", SmartLifecycle.class).getPhase();
			assertThat(demo).isLessThan(webServer);
		}
	}

}
