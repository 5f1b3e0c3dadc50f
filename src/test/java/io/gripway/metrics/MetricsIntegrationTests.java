package io.gripway.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.Management;
import io.gripway.test.NettyLeakCheck;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** The meters, as Prometheus scrapes them from {@code /actuator/prometheus} on the management port. */
@ExtendWith(NettyLeakCheck.class)
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

	static double sample(String series) {
		Double value = Management.sample(scrape(), series);
		return (value != null) ? value : Double.NaN;
	}

	@Test
	void prometheusShowsHoldsDeliveriesLatencyAndPublishes() throws Exception {
		CompletableFuture<HttpResponse<String>> poll = client.sendAsync(
				HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/hold")).timeout(WAIT).build(),
				HttpResponse.BodyHandlers.ofString());
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream").awaitHeaders(WAIT)) {
			Await.until("two held", WAIT, () -> gripway.registry().heldCount() == 2);
			assertThat(sample("gripway_held_connections{application=\"gripway\",mode=\"response\"}")).isEqualTo(1);
			assertThat(sample("gripway_held_connections{application=\"gripway\",mode=\"stream\"}")).isEqualTo(1);
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
		assertThat(Management.sample(scrape,
				"gripway_holds_ended_total{application=\"gripway\",mode=\"response\",outcome=\"published\"}"))
			.isEqualTo(1);
		assertThat(Management.sample(scrape,
				"gripway_holds_ended_total{application=\"gripway\",mode=\"stream\",outcome=\"closed\"}"))
			.isEqualTo(1);
		assertThat(Management.sample(scrape,
				"gripway_messages_delivered_total{application=\"gripway\",format=\"http-stream\"}")).isEqualTo(1);
		assertThat(Management.sample(scrape,
				"gripway_delivery_latency_seconds_count{application=\"gripway\",format=\"http-response\"}"))
			.isEqualTo(1);
		assertThat(scrape).contains("gripway_delivery_latency_seconds_bucket{application=\"gripway\",format=\"http-response\",le=");
		assertThat(Management.sample(scrape,
				"gripway_publish_requests_total{application=\"gripway\",outcome=\"accepted\",reason=\"none\"}"))
			.isEqualTo(1);
		assertThat(Management.sample(scrape,
				"gripway_publish_requests_total{application=\"gripway\",outcome=\"rejected\",reason=\"invalid\"}"))
			.isEqualTo(1);
		assertThat(Management.sample(scrape, "gripway_publish_items_total{application=\"gripway\",outcome=\"accepted\"}"))
			.isEqualTo(3);
		assertThat(Management.sample(scrape, "gripway_bus_available{application=\"gripway\",type=\"memory\"}"))
			.isEqualTo(1);
		assertThat(Management.sample(scrape,
				"gripway_bus_messages_received_total{application=\"gripway\",type=\"memory\"}")).isEqualTo(3);
		assertThat(Management.sample(scrape,
				"gripway_origin_requests_seconds_count{application=\"gripway\",route=\"gripway-origin\",status=\"2xx\"}"))
			.isGreaterThanOrEqualTo(2);
		assertThat(Management.sample(scrape, "gripway_draining{application=\"gripway\"}")).isEqualTo(0);
		// bounded tags: no channel name ever becomes a label
		assertThat(scrape).doesNotContain("m-lp").doesNotContain("m-stream");
	}

	@Test
	void everyMeterNameIsExported() throws Exception {
		// the origin timer is created by the first request to an origin
		client.send(HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/plain")).timeout(WAIT).build(),
				HttpResponse.BodyHandlers.ofString());
		String scrape = scrape();
		for (String name : GripMetrics.ALL) {
			assertThat(scrape).as(name).contains(name.replace('.', '_'));
		}
	}

	@Test
	void originStatusClassIsATag() throws Exception {
		HttpResponse<String> missing = client.send(
				HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/nowhere")).timeout(WAIT).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(sample("gripway_origin_requests_seconds_count{application=\"gripway\",route=\"gripway-origin\",status=\"4xx\"}"))
			.isEqualTo(1);
	}

}
