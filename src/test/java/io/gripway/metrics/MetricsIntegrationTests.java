package io.gripway.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.Management;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** The meters, as Prometheus scrapes them from {@code /actuator/prometheus} on the management port. */
class MetricsIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		origin.route("/hold", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", "m-lp")
			.sendString(Mono.just("timed out\n")));
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "m-stream")
			.send());
		origin.route("/plain", (request, response) -> response.sendString(Mono.just("plain\n")));
		gripway = GripwayInstance.start("gripway.origin=" + origin.url());
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	static String scrape() {
		HttpResponse<String> response = Management.get(gripway.managementPort(), "/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	/** The value of {@code name{labels}} in {@code scrape}, with the common application label added. */
	static double sample(String scrape, String series) {
		String withApplication = series.replace("{", "{application=\"gripway\",").replace(",}", "}");
		Double value = Management.sample(scrape, withApplication);
		return (value != null) ? value : Double.NaN;
	}

	@Test
	void prometheusShowsHoldsDeliveriesLatencyAndPublishes() throws Exception {
		CompletableFuture<HttpResponse<String>> poll = client.sendAsync(
				HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/hold")).timeout(WAIT).build(),
				HttpResponse.BodyHandlers.ofString());
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream").awaitHeaders(WAIT)) {
			Await.until("two held", WAIT, () -> gripway.registry().heldCount() == 2);
			String held = scrape();
			assertThat(sample(held, "gripway_held_connections{mode=\"response\"}")).isEqualTo(1);
			assertThat(sample(held, "gripway_held_connections{mode=\"stream\"}")).isEqualTo(1);
			gripway.publishOk("""
					{"items":[{"channel":"m-lp","formats":{"http-response":{"body":"hi"}}},
					          {"channel":"m-stream","formats":{"http-stream":{"content":"one\\n"}}},
					          {"channel":"m-stream","formats":{"http-stream":{"action":"close"}}}]}
					""");
			assertThat(poll.get(10, TimeUnit.SECONDS).body()).isEqualTo("hi");
			stream.awaitEnd(WAIT);
		}
		Await.until("holds ended", WAIT, () -> gripway.registry().heldCount() == 0);
		assertThat(gripway.publish("{not json").statusCode()).isEqualTo(400);

		String scrape = scrape();
		Map<String, Double> expected = new LinkedHashMap<>();
		expected.put("gripway_holds_ended_total{mode=\"response\",outcome=\"published\"}", 1.0);
		expected.put("gripway_holds_ended_total{mode=\"stream\",outcome=\"closed\"}", 1.0);
		expected.put("gripway_messages_delivered_total{format=\"http-stream\"}", 1.0);
		expected.put("gripway_delivery_latency_seconds_count{format=\"http-response\"}", 1.0);
		expected.put("gripway_publish_requests_total{outcome=\"accepted\",reason=\"none\"}", 1.0);
		expected.put("gripway_publish_requests_total{outcome=\"rejected\",reason=\"invalid\"}", 1.0);
		expected.put("gripway_publish_items_total{outcome=\"accepted\"}", 3.0);
		expected.put("gripway_bus_available{type=\"memory\"}", 1.0);
		expected.put("gripway_bus_messages_received_total{type=\"memory\"}", 3.0);
		expected.put("gripway_draining{}", 0.0);
		expected.forEach((series, value) -> assertThat(sample(scrape, series)).as(series).isEqualTo(value));
		assertThat(sample(scrape, "gripway_origin_requests_seconds_count{route=\"gripway-origin\",status=\"2xx\"}"))
			.isGreaterThanOrEqualTo(2);
		assertThat(scrape).contains(
				"gripway_delivery_latency_seconds_bucket{application=\"gripway\",format=\"http-response\",le=");
		// bounded tags: no channel name ever becomes a label
		assertThat(scrape).doesNotContain("m-lp").doesNotContain("m-stream");
	}

	@Test
	void everyMeterNameIsExported() throws Exception {
		// the origin timer is created by the first request to an origin
		client.send(HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/plain")).timeout(WAIT).build(),
				HttpResponse.BodyHandlers.ofString());
		String scrape = scrape();
		for (String name : MeterNames.ALL) {
			assertThat(scrape).as(name).contains(name.replace('.', '_'));
		}
	}

	@Test
	void originStatusClassIsATag() throws Exception {
		HttpResponse<String> missing = client.send(
				HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/nowhere")).timeout(WAIT).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(sample(scrape(), "gripway_origin_requests_seconds_count{route=\"gripway-origin\",status=\"4xx\"}"))
			.isEqualTo(1);
	}

}
