package io.gripway.interop;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official {@code @fanoutio/grip} {@code Publisher}, configured from a {@code GRIP_URL} as applications do,
 * authenticates to a Gripway whose publish API has publishers: a JWT ({@code iss} + {@code key}, also as
 * {@code base64:}), a literal key ({@code Bearer}), and user info ({@code Basic}); and is refused (401) with a wrong
 * key or password, and (403) outside its channels. Needs {@code node} and {@code npm}, as
 * {@link JsGripInteropIntegrationTests}.
 */
@ExtendWith(NettyLeakCheck.class)
class JsGripPublisherAuthIntegrationTests {

	static final String JWT_KEY = "a-shared-key-of-at-least-32-bytes!";

	static final String BASE64_KEY = "base64:" + java.util.Base64.getEncoder()
		.encodeToString("another-key-of-at-least-32-bytes!!".getBytes(java.nio.charset.StandardCharsets.UTF_8));

	static final String TOKEN = "fastly-style-api-token";

	static Path modules;

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() throws Exception {
		modules = JsGripInteropIntegrationTests.installLibrary();
		origin = new TestOrigin();
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", request.uri().substring(request.uri().indexOf("ch=") + 3))
			.sendString(Mono.just("open\n")));
		String p = "gripway.publish.auth.publishers";
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(), p + "[0].name=jwt-app",
				p + "[0].iss=app", p + "[0].key=" + JWT_KEY, p + "[0].channels=app1:*", p + "[1].name=b64-app",
				p + "[1].iss=realm", p + "[1].key=" + BASE64_KEY, p + "[2].name=token-app", p + "[2].token=" + TOKEN,
				p + "[3].name=basic-app", p + "[3].username=user", p + "[3].password=s3cret");
	}

	@AfterAll
	static void stop() {
		if (gripway != null) {
			gripway.close();
			origin.close();
		}
	}

	@Test
	void jwtWithIssAndKeyPublishes() throws Exception {
		assertDelivered("app1:news", "http://127.0.0.1:%d?iss=app&key=" + JWT_KEY);
	}

	@Test
	void jwtWithBase64KeyPublishes() throws Exception {
		assertDelivered("realm-news", "http://127.0.0.1:%d?iss=realm&key=" + BASE64_KEY.replace("+", "%2B")
			.replace("/", "%2F")
			.replace("=", "%3D"));
	}

	@Test
	void literalKeyPublishesAsBearerToken() throws Exception {
		assertDelivered("token-news", "http://127.0.0.1:%d?key=" + TOKEN);
	}

	@Test
	void userInfoPublishesAsBasic() throws Exception {
		assertDelivered("basic-news", "http://user:s3cret@127.0.0.1:%d");
	}

	@Test
	void wrongKeyTokenOrPasswordIsRefusedWith401() throws Exception {
		assertThat(publish("http://127.0.0.1:%d?iss=app&key=" + JWT_KEY + "-wrong", "app1:x"))
			.startsWith("refused 401 ")
			.contains("Unauthorized");
		assertThat(publish("http://127.0.0.1:%d?key=not-the-token", "x")).startsWith("refused 401 ");
		assertThat(publish("http://user:wrong@127.0.0.1:%d", "x")).startsWith("refused 401 ");
		assertThat(publish("http://127.0.0.1:%d", "x")).startsWith("refused 401 ");
	}

	@Test
	void channelOutOfScopeIsRefusedWith403NamingIt() throws Exception {
		assertThat(publish("http://127.0.0.1:%d?iss=app&key=" + JWT_KEY, "app2:news"))
			.isEqualTo("refused 403 \"Forbidden: publisher 'jwt-app' may not publish to channel 'app2:news'.\\n\"");
	}

	private void assertDelivered(String channel, String gripUrl) throws Exception {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + channel)) {
			stream.awaitReceived("open\n", Duration.ofSeconds(10));
			Await.until("held", Duration.ofSeconds(10), () -> gripway.registry().subscriberCount(channel) == 1);
			assertThat(publish(gripUrl, channel)).isEqualTo("published");
			stream.awaitReceived("open\nhello\n", Duration.ofSeconds(10));
		}
	}

	private String publish(String gripUrl, String channel) throws Exception {
		File script = Path.of("src/test/resources/interop/js-grip-publish.mjs").toFile();
		Process node = JsGripInteropIntegrationTests.run(Path.of("."), List.of("node", script.getAbsolutePath(),
				modules.toString(), gripUrl.replace("%d", Integer.toString(gripway.publishPort())), channel, "hello\n"));
		assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
		String output = JsGripInteropIntegrationTests.output(node).trim();
		assertThat(node.exitValue()).as(output).isZero();
		return output;
	}

}
