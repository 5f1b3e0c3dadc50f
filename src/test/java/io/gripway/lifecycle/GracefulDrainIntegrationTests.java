package io.gripway.lifecycle;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.gripway.hold.HoldRegistry;
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

/**
 * Shutdown as SIGTERM does it (the Spring context closed): readiness DOWN first, new holds refused, every held client
 * ended properly and spread over the drain window, and the close finished within the window plus a margin.
 */
class GracefulDrainIntegrationTests {

	static final Duration WINDOW = Duration.ofSeconds(2);

	static final int LONG_POLLS = 4;

	static final int STREAMS = 3;

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static TestOrigin origin;

	static final AtomicInteger retriedRequests = new AtomicInteger();

	static final CompletableFuture<Void> answerRetry = new CompletableFuture<>();

	@BeforeAll
	static void startOrigin() {
		origin = new TestOrigin();
		origin.route("/hold", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", "drain-lp")
			.header("Grip-Timeout", "120")
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("timed out\n")));
		// a long-poll whose second request (a retry) is answered only when the test says so
		origin.route("/retried", (request, response) -> {
			boolean retry = retriedRequests.incrementAndGet() > 1;
			return Mono.fromFuture(retry ? answerRetry : CompletableFuture.completedFuture(null))
				.then(response.header("Grip-Hold", "response")
					.header("Grip-Channel", "drain-retried")
					.header("Grip-Timeout", "120")
					.header("Content-Type", "text/plain")
					.sendString(Mono.just("timed out\n"))
					.then());
		});
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "drain-stream")
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("[opened]\n")));
	}

	@AfterAll
	static void stopOrigin() {
		origin.close();
	}

	static CompletableFuture<HttpResponse<String>> poll(GripwayInstance gripway) {
		return client.sendAsync(HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/hold"))
			.timeout(Duration.ofSeconds(60))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void closeEndsEveryHeldClientProperlyOverTheWindowWhileReadinessIsDown() throws Exception {
		GripwayInstance gripway = GripwayInstance.start("gripway.origin=" + origin.url(),
				"gripway.drain.window=" + WINDOW.toMillis() + "ms");
		int management = gripway.managementPort();
		HoldRegistry registry = gripway.registry();
		URI publish = URI.create(gripway.publishUrl());
		assertThat(Management.status(management, "/actuator/health/readiness")).isEqualTo(200);
		List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
		List<Long> pollEnds = new ArrayList<>();
		for (int i = 0; i < LONG_POLLS; i++) {
			CompletableFuture<HttpResponse<String>> poll = poll(gripway);
			poll.whenComplete((response, ex) -> {
				synchronized (pollEnds) {
					pollEnds.add(System.nanoTime());
				}
			});
			polls.add(poll);
		}
		List<StreamClient> streams = new ArrayList<>();
		for (int i = 0; i < STREAMS; i++) {
			streams.add(StreamClient.open(gripway.proxyUrl() + "/stream").awaitReceived("[opened]",
					Duration.ofSeconds(10)));
		}
		Await.until("all connections held", Duration.ofSeconds(10),
				() -> registry.heldCount() == LONG_POLLS + STREAMS);

		AtomicBoolean closed = new AtomicBoolean();
		long closeStarted = System.nanoTime();
		Thread closer = new Thread(() -> {
			gripway.close();
			closed.set(true);
		}, "test-context-close");
		closer.start();

		AtomicInteger readinessWhileDraining = new AtomicInteger();
		Await.until("readiness DOWN during the drain", Duration.ofSeconds(5), () -> {
			int status = Management.status(management, "/actuator/health/readiness");
			readinessWhileDraining.set(status);
			return status == 503 || closed.get();
		});
		assertThat(readinessWhileDraining.get()).as("readiness answered while draining").isEqualTo(503);
		assertThat(Management.status(management, "/actuator/health/liveness")).isEqualTo(200);
		HttpResponse<String> refused = poll(gripway).get(10, TimeUnit.SECONDS);
		assertThat(refused.statusCode()).isEqualTo(503);
		assertThat(refused.body()).isEqualTo("Service restarting; retry.\n");
		assertThat(refused.headers().firstValue("Connection")).hasValue("close");
		// the publish API outlives the drain: connections not ended yet still get messages
		HttpResponse<String> published = client.send(HttpRequest.newBuilder(publish)
			.POST(HttpRequest.BodyPublishers.ofString(
					"{\"items\":[{\"channel\":\"drain-stream\",\"formats\":{\"http-stream\":{\"content\":\"late\\n\"}}}]}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(published.statusCode()).isEqualTo(200);

		closer.join(WINDOW.plusSeconds(15).toMillis());
		assertThat(closed).as("context closed").isTrue();
		long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStarted);
		assertThat(closeMillis).isLessThan(WINDOW.plusSeconds(8).toMillis());

		for (CompletableFuture<HttpResponse<String>> poll : polls) {
			HttpResponse<String> response = poll.get(5, TimeUnit.SECONDS);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("timed out\n");
		}
		for (StreamClient stream : streams) {
			stream.awaitEnd(Duration.ofSeconds(5));
			assertThat(stream.error()).as("stream ended cleanly, not reset").isNull();
			assertThat(stream.completed()).isTrue();
			assertThat(stream.received()).isIn("[opened]\n", "[opened]\nlate\n");
			stream.close();
		}
		// spread: the endings are not all at once, but over most of the window
		long spreadMillis;
		synchronized (pollEnds) {
			spreadMillis = TimeUnit.NANOSECONDS.toMillis(
					pollEnds.stream().mapToLong(Long::longValue).max().getAsLong()
							- pollEnds.stream().mapToLong(Long::longValue).min().getAsLong());
		}
		assertThat(spreadMillis).isGreaterThan(WINDOW.toMillis() / 4);
		assertThat(registry.heldCount()).isZero();
	}


	@Test
	void aLongPollWhoseRetryIsAnsweredDuringTheDrainGetsItsTimeoutResponse() throws Exception {
		GripwayInstance gripway = GripwayInstance.start("gripway.origin=" + origin.url(),
				"gripway.drain.window=" + WINDOW.toMillis() + "ms");
		CompletableFuture<HttpResponse<String>> poll = client.sendAsync(
				HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/retried")).timeout(Duration.ofSeconds(60)).build(),
				HttpResponse.BodyHandlers.ofString());
		gripway.awaitSubscribers("drain-retried", 1);
		// the hold goes back to its origin (POST /recover), and the node starts draining before the origin answers
		assertThat(gripway.recover().statusCode()).isEqualTo(200);
		Await.until("the retry at the origin", Duration.ofSeconds(10), () -> retriedRequests.get() == 2);
		Thread closer = new Thread(gripway::close, "test-context-close");
		closer.start();
		Await.until("draining", Duration.ofSeconds(10), () -> gripway.registry().isDraining());
		answerRetry.complete(null);

		// the origin said "hold" again: the client gets what a drained long-poll gets, not a refusal
		HttpResponse<String> response = poll.get(20, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("timed out\n");
		assertThat(response.headers().firstValue("Connection")).hasValue("close");
		closer.join(WINDOW.plusSeconds(15).toMillis());
		assertThat(closer.isAlive()).as("context still closing").isFalse();
	}

}
