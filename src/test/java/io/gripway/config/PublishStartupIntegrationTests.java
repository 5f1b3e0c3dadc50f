package io.gripway.config;

import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Gripway refuses to start with the publish API open to the network and nobody to authenticate, and says how to fix
 * it; it starts when publishers are configured or anonymity is asked for on purpose.
 */
@ExtendWith(NettyLeakCheck.class)
class PublishStartupIntegrationTests {

	@Test
	void nonLoopbackAddressWithoutPublishersRefusesToStart() {
		assertThatThrownBy(() -> GripwayInstance.start("gripway.publish.address=0.0.0.0").close())
			.rootCause()
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("without authentication")
			.hasMessageContaining("gripway.publish.auth.publishers")
			.hasMessageContaining("gripway.publish.allow-anonymous=true");
	}

	@Test
	void allowAnonymousOnPurposeStarts() {
		try (GripwayInstance gripway = GripwayInstance.start("gripway.publish.address=0.0.0.0",
				"gripway.publish.allow-anonymous=true")) {
			assertThat(gripway.publishPort()).isPositive();
		}
	}

	@Test
	void publishersMakeANonLoopbackAddressSafeToStart() {
		try (GripwayInstance gripway = GripwayInstance.start("gripway.publish.address=0.0.0.0",
				"gripway.publish.auth.publishers[0].name=app", "gripway.publish.auth.publishers[0].token=t0k3n")) {
			assertThat(gripway.publish("{\"items\": []}").statusCode()).isEqualTo(401);
		}
	}

	@Test
	void aPublisherWithTwoCredentialsRefusesToStartWithoutShowingThem() {
		assertThatThrownBy(() -> GripwayInstance.start("gripway.publish.auth.publishers[0].name=app",
				"gripway.publish.auth.publishers[0].token=secret-token",
				"gripway.publish.auth.publishers[0].username=u", "gripway.publish.auth.publishers[0].password=pw")
			.close()).hasStackTraceContaining("gripway.publish.auth.publishers[0] ('app')")
			.hasStackTraceContaining("exactly one of")
			.satisfies((ex) -> {
				java.io.StringWriter trace = new java.io.StringWriter();
				ex.printStackTrace(new java.io.PrintWriter(trace));
				assertThat(trace.toString()).doesNotContain("secret-token");
			});
	}

}
