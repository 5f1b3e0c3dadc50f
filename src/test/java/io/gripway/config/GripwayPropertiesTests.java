package io.gripway.config;

import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A wrong setting stops Gripway at start-up, and the report a user sees names the property and what it accepts,
 * instead of a node that starts and then evicts every stream ({@code hold.queue-capacity: 0}).
 */
@ExtendWith(OutputCaptureExtension.class)
class GripwayPropertiesTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			gripway.hold.queue-capacity=0           | gripway.hold.queue-capacity           | must be greater than or equal to 1
			gripway.hold.max-connections=-5         | gripway.hold.max-connections          | must be greater than or equal to 1
			gripway.bus.queue-capacity=0            | gripway.bus.queue-capacity            | must be greater than or equal to 1
			gripway.websocket.queue-capacity=-1     | gripway.websocket.queue-capacity      | must be greater than or equal to 1
			gripway.reliability.max-retries=-1      | gripway.reliability.max-retries       | must be greater than or equal to 0
			gripway.publish.port=70000              | gripway.publish.port                  | must be less than or equal to 65535
			gripway.hold.max-response-body=-1B      | gripway.hold.max-response-body        | must be more than zero
			gripway.publish.max-body-size=0B        | gripway.publish.max-body-size         | must be more than zero
			gripway.websocket.max-response-body=0B  | gripway.websocket.max-response-body   | must be more than zero
			gripway.bus.redis.command-timeout=0s    | gripway.bus.redis.command-timeout     | must be more than zero
			gripway.hold.id-cache-ttl=-1s           | gripway.hold.id-cache-ttl             | must be zero or more
			gripway.drain.window=-10s               | gripway.drain.window                  | must be zero or more
			""")
	void anOutOfRangeSettingFailsStartUpNamingIt(String setting, String property, String reason,
			CapturedOutput output) {
		assertThatException().isThrownBy(() -> start(setting));
		// Boot names a property of a nested record in its relaxed Java form (gripway.hold.queueCapacity), which binds too
		assertThat(relaxed(output.toString())).contains("property: " + relaxed(property));
		assertThat(output).contains("Reason: " + reason);
	}

	@Test
	void aBusTypeTypoFailsStartUpListingTheTypes(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("gripway.bus.type=rediss"));
		assertThat(output).contains("Property: gripway.bus.type")
			.contains("Value: \"rediss\"")
			.containsPattern("(?s)The following values are valid:\\s+memory\\s+redis\\s+redis-cluster");
	}

	@Test
	void aWebSocketModeTypoFailsStartUpListingTheModes(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("gripway.websocket.mode=over_htp"));
		assertThat(output).contains("Property: gripway.websocket.mode")
			.containsPattern("(?s)The following values are valid:\\s+over-http\\s+websocket");
	}

	@Test
	void theWrittenFormsOfEachEnumBind() {
		try (ConfigurableApplicationContext context = start("gripway.bus.type=redis-cluster",
				"gripway.websocket.mode=websocket")) {
			GripwayProperties properties = context.getBean(GripwayProperties.class);
			assertThat(properties.bus().type()).isEqualTo(BusType.REDIS_CLUSTER);
			assertThat(properties.bus().type()).hasToString("redis-cluster");
			assertThat(properties.websocket().mode()).hasToString("websocket");
		}
		try (ConfigurableApplicationContext context = start()) {
			GripwayProperties properties = context.getBean(GripwayProperties.class);
			assertThat(properties.bus().type()).isEqualTo(BusType.MEMORY);
			assertThat(properties.websocket().mode()).hasToString("over-http");
		}
	}

	private static String relaxed(String text) {
		return text.replace("-", "").toLowerCase(Locale.ROOT);
	}

	private static ConfigurableApplicationContext start(String... properties) {
		SpringApplication application = new SpringApplication(PropertiesOnly.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		String[] args = new String[properties.length];
		for (int i = 0; i < properties.length; i++) {
			args[i] = "--" + properties[i];
		}
		return application.run(args);
	}

	/** Binds {@code gripway.*} the way Gripway does, and nothing else. */
	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(GripwayProperties.class)
	static class PropertiesOnly {

	}

}
