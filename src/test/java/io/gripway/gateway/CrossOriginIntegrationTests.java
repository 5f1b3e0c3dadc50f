package io.gripway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.test.GripwayInstance;
import io.gripway.test.PublishJson;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Auto cross-origin and JSON-P (reference §5.4) on passed-through, held, streamed and timed-out responses, per route:
 * {@code /aco/**} has it (extended JSON-P), {@code /basic/**} has it with basic JSON-P, the default route has not.
 */
class CrossOriginIntegrationTests {

	static final String APP = "http://app.example";

	static final Duration WAIT = Duration.ofSeconds(10);

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		origin.route("/plain", (request, response) -> response.header("Content-Type", "text/plain")
			.header("X-Custom", "1")
			.sendString(Mono.just("plain\n")));
		origin.route("/own", (request, response) -> response.header("Access-Control-Allow-Origin", "https://own.example")
			.sendString(Mono.just("own\n")));
		origin.route("/echo", (request, response) -> response.header("Content-Type", "text/plain")
			.sendString(Mono.just(request.method().name() + " " + request.requestHeaders().get("X-A"))));
		origin.route("/hold", (request, response) -> {
			QueryStringDecoder query = new QueryStringDecoder(request.uri());
			return response.header("Grip-Hold", "response")
				.header("Grip-Channel", query.parameters().get("ch").get(0))
				.header("Grip-Timeout", query.parameters().getOrDefault("timeout", java.util.List.of("55")).get(0))
				.header("Content-Type", "application/json")
				.header("X-Timeout-Header", "kept")
				.sendString(Mono.just("{\"timeout\":true}\n"));
		});
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "aco-stream")
			.header("Content-Type", "text/event-stream")
			.sendString(Mono.just(":open\n\n")));
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(),
				"spring.cloud.gateway.server.webflux.routes[0].id=aco",
				"spring.cloud.gateway.server.webflux.routes[0].uri=" + origin.url(),
				"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/aco/**",
				"spring.cloud.gateway.server.webflux.routes[0].filters[0]=StripPrefix=1",
				"spring.cloud.gateway.server.webflux.routes[0].metadata.gripway-auto-cross-origin=true",
				"spring.cloud.gateway.server.webflux.routes[1].id=basic",
				"spring.cloud.gateway.server.webflux.routes[1].uri=" + origin.url(),
				"spring.cloud.gateway.server.webflux.routes[1].predicates[0]=Path=/basic/**",
				"spring.cloud.gateway.server.webflux.routes[1].filters[0]=StripPrefix=1",
				"spring.cloud.gateway.server.webflux.routes[1].metadata.gripway-auto-cross-origin=true",
				"spring.cloud.gateway.server.webflux.routes[1].metadata.gripway-jsonp-mode=basic");
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	static HttpResponse<String> get(String path) throws Exception {
		return client.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
	}

	static HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + path)).timeout(WAIT).header("Origin", APP);
	}

	@Test
	void passedThroughResponseGetsCorsHeadersEchoingTheOrigin() throws Exception {
		HttpResponse<String> response = get("/aco/plain");
		assertThat(response.body()).isEqualTo("plain\n");
		assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains(APP);
		assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
		assertThat(response.headers().firstValue("Access-Control-Max-Age")).contains("3600");
		assertThat(response.headers().firstValue("Access-Control-Expose-Headers")).contains("X-Custom");
	}

	@Test
	void routeWithoutAutoCrossOriginIsUntouched() throws Exception {
		HttpResponse<String> response = get("/plain?callback=f");
		assertThat(response.body()).isEqualTo("plain\n");
		assertThat(response.headers().map().keySet()).noneMatch(name -> name.startsWith("access-control-"));
	}

	@Test
	void originsOwnCorsHeaderIsKept() throws Exception {
		HttpResponse<String> response = get("/aco/own");
		assertThat(response.headers().allValues("Access-Control-Allow-Origin")).containsExactly("https://own.example");
		assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
	}

	@Test
	void preflightGoesToTheOriginAndEchoesTheRequest() throws Exception {
		HttpResponse<String> response = client.send(request("/aco/echo").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
			.header("Access-Control-Request-Method", "PUT")
			.header("Access-Control-Request-Headers", "x-a")
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.body()).startsWith("OPTIONS");
		assertThat(response.headers().firstValue("Access-Control-Allow-Methods")).contains("PUT");
		assertThat(response.headers().firstValue("Access-Control-Allow-Headers")).contains("x-a");
	}

	@Test
	void heldLongPollReleasedByPublishGetsCorsHeaders() throws Exception {
		CompletableFuture<HttpResponse<String>> poll = client.sendAsync(request("/aco/hold?ch=aco-poll").build(),
				HttpResponse.BodyHandlers.ofString());
		gripway.awaitSubscribers("aco-poll", 1);
		gripway.publishOk(PublishJson.response("aco-poll", "released\\n"));
		HttpResponse<String> response = poll.get(10, TimeUnit.SECONDS);
		assertThat(response.body()).isEqualTo("released\n");
		assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains(APP);
		assertThat(response.headers().firstValue("Access-Control-Expose-Headers")).contains("X-Timeout-Header");
	}

	@Test
	void streamHeadGetsCorsHeaders() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/aco/stream")) {
			stream.awaitReceived(":open\n\n", WAIT);
			assertThat(stream.headers().get("Access-Control-Allow-Origin")).isEqualTo("*");
			assertThat(stream.headers().get("Access-Control-Allow-Credentials")).isEqualTo("true");
		}
	}

	@Test
	void jsonpWrapsPassedThroughResponseAndHidesItsParameters() throws Exception {
		HttpResponse<String> response = get("/aco/plain?a=1&callback=cb");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).contains("application/javascript");
		assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		assertThat(response.body()).startsWith("/**/cb({\"code\":200,\"reason\":\"OK\",\"headers\":{")
			.contains("\"X-Custom\":\"1\"")
			.endsWith("\"body\":\"plain\\n\"});\n");
		assertThat(origin.lastReceived().uri()).isEqualTo("/plain?a=1");
	}

	@Test
	void jsonpParametersMakeTheRequest() throws Exception {
		HttpResponse<String> response = get("/aco/echo?callback=cb&_method=POST&_headers=%7B%22X-A%22%3A%22b%22%7D&_body=hi");
		assertThat(response.body()).contains("\"body\":\"POST b\"");
		assertThat(origin.lastReceived().method()).isEqualTo("POST");
		assertThat(origin.lastReceived().bodyText()).isEqualTo("hi");
		assertThat(origin.lastReceived().uri()).isEqualTo("/echo");
	}

	@Test
	void invalidCallbackIsRefusedWith400() throws Exception {
		HttpResponse<String> response = get("/aco/plain?callback=");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).isEqualTo("Invalid callback parameter.\n");
	}

	@Test
	void heldLongPollReleasedByPublishIsWrappedAsJsonp() throws Exception {
		CompletableFuture<HttpResponse<String>> poll = client.sendAsync(
				request("/aco/hold?ch=jsonp-poll&callback=f").build(), HttpResponse.BodyHandlers.ofString());
		gripway.awaitSubscribers("jsonp-poll", 1);
		gripway.publishOk(PublishJson.response("jsonp-poll", "released"));
		HttpResponse<String> response = poll.get(10, TimeUnit.SECONDS);
		assertThat(response.headers().firstValue("Content-Type")).contains("application/javascript");
		assertThat(response.body()).startsWith("/**/f({\"code\":200,").endsWith("\"body\":\"released\"});\n");
	}

	@Test
	void timedOutLongPollIsWrappedAsBasicJsonp() throws Exception {
		// reference §5.4: GET /x?callback=f on an aco route with a long-poll that times out
		HttpResponse<String> response = get("/basic/hold?ch=jsonp-timeout&timeout=5&callback=f");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).contains("application/javascript");
		assertThat(response.body()).isEqualTo("/**/f({\"timeout\":true});\n");
		assertThat(origin.lastReceived().method()).isEqualTo("POST");
	}

}
