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

	/** A long-poll's route whose second request (the retry) is answered only when the test says so. */
	record HeldRetry(AtomicInteger requests, CompletableFuture<Void> answer) {

		HeldRetry() {
			this(new AtomicInteger(), new CompletableFuture<>());
		}

		/** Before the retry's answer, if this is the retry. */
		Mono<Void> turn() {
			return Mono.fromFuture((requests().incrementAndGet() > 1) ? answer() : CompletableFuture.completedFuture(null));
		}

	}

	static final HeldRetry retriedPoll = new HeldRetry();

	static final HeldRetry retriedIntoStream = new HeldRetry();

	@BeforeAll
	static void startOrigin() {
		origin = new TestOrigin();
		origin.route("/hold", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", "drain-lp")
			.header("Grip-Timeout", "120")
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("timed out\n")));
		origin.route("/retried", (request, response) -> retriedPoll.turn()
			.then(response.header("Grip-Hold", "response")
				.header("Grip-Channel", "drain-retried")
				.header("Grip-Timeout", "120")
				.header("Content-Type", "text/plain")
				.sendString(Mono.just("timed out\n"))
				.then()));
		// a long-poll that its origin, asked again, turns into a stream
		origin.route("/retried-into-stream", (request, response) -> retriedIntoStream.turn()
			.then(Mono.defer(() -> (retriedIntoStream.requests().get() == 1)
					? response.header("Grip-Hold", "response")
						.header("Grip-Channel", "drain-into-stream")
						.header("Grip-Timeout", "120")
						.sendString(Mono.just("timed out\n"))
						.then()
					: response.header("Grip-Hold", "stream")
						.header("Grip-Channel", "drain-into-stream")
						.header("Content-Type", "text/plain")
						.sendString(Mono.just("[opened]\n"))
						.then())));
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
		// the origin said "hold" again: the client gets what a drained long-poll gets, not a refusal
		HttpResponse<String> response = retriedWhileDraining("/retried", "drain-retried", retriedPoll);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("timed out\n");
		assertThat(response.headers().firstValue("Connection")).hasValue("close");
	}

	@Test
	void aLongPollWhoseRetryTurnsIntoAStreamDuringTheDrainGetsTheStreamsFirstContent() throws Exception {
		// what a stream drained as soon as it is held gets: its first content, and the end
		HttpResponse<String> response = retriedWhileDraining("/retried-into-stream", "drain-into-stream",
				retriedIntoStream);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("[opened]\n");
		assertThat(response.headers().firstValue("Connection")).hasValue("close");
	}

	/** Holds a long-poll on {@code path}, sends it back to its origin, and drains the node before the origin answers. */
	private static HttpResponse<String> retriedWhileDraining(String path, String channel, HeldRetry route)
			throws Exception {
		GripwayInstance gripway = GripwayInstance.start("gripway.origin=" + origin.url(),
				"gripway.drain.window=" + WINDOW.toMillis() + "ms");
		CompletableFuture<HttpResponse<String>> poll = client.sendAsync(
				HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + path)).timeout(Duration.ofSeconds(60)).build(),
				HttpResponse.BodyHandlers.ofString());
		gripway.awaitSubscribers(channel, 1);
		// POST /recover sends the hold back to its origin
		assertThat(gripway.recover().statusCode()).isEqualTo(200);
		Await.until("the retry at the origin", Duration.ofSeconds(10), () -> route.requests().get() == 2);
		Thread closer = new Thread(gripway::close, "test-context-close");
		closer.start();
		Await.until("draining", Duration.ofSeconds(10), () -> gripway.registry().isDraining());
		route.answer().complete(null);
		HttpResponse<String> response = poll.get(20, TimeUnit.SECONDS);
		closer.join(WINDOW.plusSeconds(15).toMillis());
		assertThat(closer.isAlive()).as("context still closing").isFalse();
		return response;
	}

}
