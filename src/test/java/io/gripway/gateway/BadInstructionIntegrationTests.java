package io.gripway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.gripway.test.GripwayInstance;
import io.gripway.test.PublishJson;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An origin's malformed instruction ({@code Grip-Channel}, {@code Grip-Keep-Alive}, {@code Grip-Set-Meta}, an
 * {@code application/grip-instruct} body) costs only its own client a 502 with Pushpin's body, never a held
 * connection, and every other client is served on. Each bad case differs from a valid instruction (which
 * {@link #theValidInstructionsTheBadOnesAreMadeFromHold} shows is held) in one header or field only.
 */
class BadInstructionIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static final String BAD_INSTRUCTION = "Error while proxying to origin.\n";

	static final String INSTRUCT = "application/grip-instruct";

	/** The valid stream instruction, header form: every GRIP header the bad cases break. */
	static final Map<String, String> VALID_HEADERS = Map.of("Grip-Hold", "stream", "Grip-Channel", "bad-base",
			"Grip-Keep-Alive", "ping\\n; format=cstring; mode=idle; timeout=20", "Grip-Set-Meta", "user=\"alice\"");

	/** The valid stream instruction, JSON form. */
	static final String VALID_JSON = """
			{"hold": {"mode": "stream", "channels": [{"name": "bad-base-json"}]}, "response": {"body": "open\\n"}}""";

	static TestOrigin origin;

	static GripwayInstance gripway;

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		origin.route("/valid", (request, response) -> {
			VALID_HEADERS.forEach(response::header);
			return response.header("Content-Type", "text/plain").sendString(Mono.just("open\n"));
		});
		origin.route("/valid-json", (request, response) -> response.header("Content-Type", INSTRUCT)
			.sendString(Mono.just(VALID_JSON)));
		headerCase("channel-unterminated-quote", "Grip-Channel", "bad-base; prev-id=\"1");
		headerCase("channel-filter-without-name", "Grip-Channel", "bad-base; filter=");
		headerCase("keep-alive-unknown-mode", "Grip-Keep-Alive", "ping; mode=sometimes");
		headerCase("keep-alive-unknown-format", "Grip-Keep-Alive", "ping; format=hex");
		headerCase("keep-alive-negative-timeout", "Grip-Keep-Alive", "ping; timeout=-5");
		headerCase("set-meta-without-value", "Grip-Set-Meta", "user");
		headerCase("set-meta-unterminated-quote", "Grip-Set-Meta", "user=\"alice");
		jsonCase("json-not-json", "{\"hold\": {\"mode\": \"stream\", ");
		jsonCase("json-not-an-object", "[\"hold\"]");
		jsonCase("json-no-channels", "{\"hold\": {\"mode\": \"stream\", \"channels\": []}}");
		jsonCase("json-unknown-mode", "{\"hold\": {\"mode\": \"forever\", \"channels\": [{\"name\": \"bad-base-json\"}]}}");
		jsonCase("json-channel-without-name", "{\"hold\": {\"mode\": \"stream\", \"channels\": [{\"name\": \"\"}]}}");
		gripway = GripwayInstance.start("gripway.origin=" + origin.url());
	}

	/** The valid header instruction with {@code header} replaced by {@code value}. */
	static void headerCase(String name, String header, String value) {
		Map<String, String> headers = new LinkedHashMap<>(VALID_HEADERS);
		headers.put(header, value);
		origin.route("/" + name, (request, response) -> {
			headers.forEach(response::header);
			return response.header("Content-Type", "text/plain").sendString(Mono.just("open\n"));
		});
	}

	static void jsonCase(String name, String body) {
		origin.route("/" + name, (request, response) -> response.header("Content-Type", INSTRUCT)
			.sendString(Mono.just(body)));
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/valid", "/valid-json" })
	void theValidInstructionsTheBadOnesAreMadeFromHold(String path) {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + path)) {
			stream.awaitReceived("open\n", WAIT);
			assertThat(stream.status()).isEqualTo(200);
			assertThat(gripway.registry().subscriberCount(path.equals("/valid") ? "bad-base" : "bad-base-json"))
				.isEqualTo(1);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "channel-unterminated-quote", "channel-filter-without-name", "keep-alive-unknown-mode",
			"keep-alive-unknown-format", "keep-alive-negative-timeout", "set-meta-without-value",
			"set-meta-unterminated-quote", "json-not-json", "json-not-an-object", "json-no-channels",
			"json-unknown-mode", "json-channel-without-name" })
	void malformedInstructionGives502AndOtherClientsAreServedOn(String name) throws Exception {
		String bystanderChannel = "bystander-" + name;
		origin.route("/bystander", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", request.uri().substring(request.uri().indexOf("ch=") + 3))
			.sendString(Mono.just("held\n")));
		try (StreamClient bystander = StreamClient.open(gripway.proxyUrl() + "/bystander?ch=" + bystanderChannel)) {
			bystander.awaitReceived("held\n", WAIT);
			gripway.awaitSubscribers(bystanderChannel, 1);

			HttpResponse<String> bad = get("/" + name);
			assertThat(bad.statusCode()).isEqualTo(502);
			assertThat(bad.body()).isEqualTo(BAD_INSTRUCTION);
			gripway.publishOk(PublishJson.stream(bystanderChannel, "still here\\n"));
			bystander.awaitReceived("still here\n", WAIT);
			assertThat(bystander.completed()).isFalse();
		}
	}

	@Test
	void aNewClientIsServedAfterABadInstruction() throws Exception {
		assertThat(get("/json-not-json").statusCode()).isEqualTo(502);
		origin.route("/plain", (request, response) -> response.sendString(Mono.just("plain\n")));
		HttpResponse<String> plain = get("/plain");
		assertThat(plain.statusCode()).isEqualTo(200);
		assertThat(plain.body()).isEqualTo("plain\n");
	}

	static HttpResponse<String> get(String path) throws Exception {
		return client.send(HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + path)).timeout(WAIT).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
