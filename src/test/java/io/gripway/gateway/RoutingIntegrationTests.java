package io.gripway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** Gateway routes in configuration pick among several origins (with rewrites); the rest go to gripway.origin. */
class RoutingIntegrationTests {

	static TestOrigin web;

	static TestOrigin api;

	static GripwayInstance gripway;

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@BeforeAll
	static void start() {
		web = new TestOrigin();
		web.route("/page", (request, response) -> response.sendString(Mono.just("web page\n")));
		api = new TestOrigin();
		api.route("/events", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", "api-events")
			.sendString(Mono.just("no events\n")));
		gripway = GripwayInstance.start("gripway.origin=" + web.url(),
				"spring.cloud.gateway.server.webflux.routes[0].id=api",
				"spring.cloud.gateway.server.webflux.routes[0].uri=" + api.url(),
				"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/api/**",
				"spring.cloud.gateway.server.webflux.routes[0].filters[0]=StripPrefix=1");
	}

	@AfterAll
	static void stop() {
		gripway.close();
		web.close();
		api.close();
	}

	static HttpRequest get(String path) {
		return HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + path)).timeout(Duration.ofSeconds(20)).build();
	}

	@Test
	void unmatchedPathsGoToTheDefaultOrigin() throws Exception {
		HttpResponse<String> response = client.send(get("/page"), HttpResponse.BodyHandlers.ofString());
		assertThat(response.body()).isEqualTo("web page\n");
	}

	@Test
	void configuredRouteRewritesToItsOwnOriginAndGripStillApplies() throws Exception {
		CompletableFuture<HttpResponse<String>> held = client.sendAsync(get("/api/events"),
				HttpResponse.BodyHandlers.ofString());
		Await.until("hold via the api route", Duration.ofSeconds(10),
				() -> gripway.registry().subscriberCount("api-events") == 1);
		assertThat(api.lastReceived().uri()).isEqualTo("/events");
		gripway.publishOk("{\"items\":[{\"channel\":\"api-events\",\"formats\":{\"http-response\":{\"body\":\"event\"}}}]}");
		assertThat(held.get(10, TimeUnit.SECONDS).body()).isEqualTo("event");
	}

}
