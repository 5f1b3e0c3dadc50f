package io.gripway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.hold.Transport;
import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.PublishJson;
import io.gripway.test.RawSocket;
import io.gripway.test.TestOrigin;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** Response holds (long-polls): released by a publish, or answered with the origin's response on timeout. */
class LongPollIntegrationTests {

	static TestOrigin origin;

	static GripwayInstance gripway;

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		// /hold?ch=a&ch=b&timeout=N&meta=user%3Dalice&filter=skip-self : a header-form long-poll
		origin.route("/hold", (request, response) -> {
			QueryStringDecoder query = new QueryStringDecoder(request.uri());
			List<String> channels = query.parameters().getOrDefault("ch", List.of("test"));
			String filter = query.parameters().containsKey("filter") ? "; filter=" + query.parameters().get("filter").get(0) : "";
			response.header("Grip-Hold", "response")
				.header("Grip-Channel", String.join(", ", channels.stream().map(c -> c + filter).toList()))
				.header("Content-Type", "text/plain")
				.header("X-Timeout-Header", "kept");
			if (query.parameters().containsKey("timeout")) {
				response.header("Grip-Timeout", query.parameters().get("timeout").get(0));
			}
			if (query.parameters().containsKey("user")) {
				response.header("Grip-Set-Meta", "user=\"" + query.parameters().get("user").get(0) + "\"");
			}
			if (query.parameters().containsKey("status")) {
				response.header("Grip-Status", query.parameters().get("status").get(0));
			}
			return response.sendString(Mono.just("timed out\n"));
		});
		origin.route("/json-hold", (request, response) -> response.header("Content-Type", "application/grip-instruct")
			.sendString(Mono.just("""
					{"hold": {"mode": "response", "channels": [{"name": "json"}], "timeout": 5},
					 "response": {"code": 202, "headers": {"X-From-Json": "yes"}, "body": "json timeout\\n"}}
					""")));
		origin.route("/big", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", "big")
			.sendString(Mono.just("x".repeat(150_000))));
		origin.route("/bogus", (request, response) -> response.header("Grip-Hold", "bogus")
			.sendString(Mono.just("never seen\n")));
		origin.route("/no-hold", (request, response) -> response.header("Grip-Channel", "")
			.header("Grip-Status", "201")
			.header("X-Visible", "1")
			.sendString(Mono.just("answered at once\n")));
		gripway = GripwayInstance.start("gripway.origin=" + origin.url());
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	static CompletableFuture<HttpResponse<String>> poll(String path) {
		return client.sendAsync(HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + path))
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void publishReleasesHeldLongPollWithPublishedBodyAndTimeoutHeaders() throws Exception {
		CompletableFuture<HttpResponse<String>> held = poll("/hold?ch=lp1");
		gripway.awaitSubscribers("lp1", 1);
		assertThat(held).isNotDone();
		gripway.publishOk("""
				{"items":[{"channel":"lp1","formats":{"http-response":{"code":200,"headers":{"X-Published":"1"},"body":"hello\\n"}}}]}
				""");
		HttpResponse<String> response = held.get(10, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("hello\n");
		assertThat(response.headers().firstValue("X-Published")).hasValue("1");
		assertThat(response.headers().firstValue("X-Timeout-Header")).hasValue("kept");
		assertThat(response.headers().map().keySet()).noneMatch(name -> name.toLowerCase().startsWith("grip-"));
		gripway.awaitSubscribers("lp1", 0);
	}

	@Test
	void publishedCodeReasonAndBinaryBodyAreDelivered() throws Exception {
		CompletableFuture<HttpResponse<String>> held = poll("/hold?ch=lp-bin");
		gripway.awaitSubscribers("lp-bin", 1);
		gripway.publishOk("""
				{"items":[{"channel":"lp-bin","formats":{"http-response":{"code":409,"reason":"Taken","headers":[["X-Pair","a"]],"body-bin":"aGkgdGhlcmUK"}}}]}
				""");
		HttpResponse<String> response = held.get(10, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(409);
		assertThat(response.body()).isEqualTo("hi there\n");
		assertThat(response.headers().firstValue("X-Pair")).hasValue("a");
	}

	@Test
	void publishedReasonPhraseIsTheStatusLines() {
		// java.net.http does not expose the reason phrase: read the status line off the socket
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort())) {
			socket.send("GET /hold?ch=lp-reason HTTP/1.1\r\nHost: x\r\n\r\n");
			gripway.awaitSubscribers("lp-reason", 1);
			gripway.publishOk("""
					{"items":[{"channel":"lp-reason","formats":{"http-response":{"code":409,"reason":"Taken","body":"x"}}}]}
					""");
			assertThat(socket.readHead()).startsWith("HTTP/1.1 409 Taken\r\n");
		}
	}

	@Test
	void gripStatusReasonPhraseIsTheTimeoutResponsesStatusLine() {
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort())) {
			socket.send("GET /hold?ch=lp-reason-timeout&timeout=1&status=404%20Gone%20Fishing HTTP/1.1\r\nHost: x\r\n\r\n");
			// Grip-Timeout below the 5 s floor is raised to it; the socket's read timeout is 10 s
			assertThat(socket.readHead()).startsWith("HTTP/1.1 404 Gone Fishing\r\n");
		}
	}

	@Test
	void timeoutSendsTheOriginResponseWithGripStatus() throws Exception {
		long started = System.nanoTime();
		HttpResponse<String> response = poll("/hold?ch=lp-timeout&timeout=1&status=404%20Gone%20Fishing")
			.get(20, TimeUnit.SECONDS);
		long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).isEqualTo("timed out\n");
		assertThat(response.headers().firstValue("X-Timeout-Header")).hasValue("kept");
		// Grip-Timeout below the 5 s floor is raised to it
		assertThat(elapsedMillis).isGreaterThanOrEqualTo(4900);
		gripway.awaitSubscribers("lp-timeout", 0);
	}

	@Test
	void jsonInstructionHoldsAndTimesOutWithItsResponse() throws Exception {
		CompletableFuture<HttpResponse<String>> held = poll("/json-hold");
		gripway.awaitSubscribers("json", 1);
		HttpResponse<String> response = held.get(20, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(202);
		assertThat(response.headers().firstValue("X-From-Json")).hasValue("yes");
		assertThat(response.body()).isEqualTo("json timeout\n");
	}

	@Test
	void jsonInstructionHoldIsReleasedByPublish() throws Exception {
		CompletableFuture<HttpResponse<String>> held = poll("/json-hold");
		gripway.awaitSubscribers("json", 1);
		gripway.publishOk(PublishJson.response("json", "from publish"));
		HttpResponse<String> response = held.get(10, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("from publish");
		assertThat(response.headers().firstValue("X-From-Json")).hasValue("yes");
	}

	@Test
	void publishReachesOnlyItsOwnChannel() throws Exception {
		CompletableFuture<HttpResponse<String>> a = poll("/hold?ch=iso-a");
		CompletableFuture<HttpResponse<String>> b = poll("/hold?ch=iso-b");
		gripway.awaitSubscribers("iso-a", 1);
		gripway.awaitSubscribers("iso-b", 1);
		gripway.publishOk(PublishJson.response("iso-a", "for a"));
		assertThat(a.get(10, TimeUnit.SECONDS).body()).isEqualTo("for a");
		Thread.sleep(200);
		assertThat(b).isNotDone();
		gripway.publishOk(PublishJson.response("iso-b", "for b"));
		assertThat(b.get(10, TimeUnit.SECONDS).body()).isEqualTo("for b");
	}

	@ParameterizedTest
	@ValueSource(strings = { "multi-1", "multi-2", "multi-3" })
	void holdOnSeveralChannelsIsReleasedByAnyOfThem(String publishedTo) throws Exception {
		List<String> channels = List.of("multi-1", "multi-2", "multi-3");
		CompletableFuture<HttpResponse<String>> held = poll("/hold?ch=multi-1&ch=multi-2&ch=multi-3");
		channels.forEach((channel) -> gripway.awaitSubscribers(channel, 1));

		gripway.publishOk(PublishJson.response(publishedTo, "via " + publishedTo));

		assertThat(held.get(10, TimeUnit.SECONDS).body()).isEqualTo("via " + publishedTo);
		channels.forEach((channel) -> gripway.awaitSubscribers(channel, 0));
	}

	@Test
	void fanOutReleasesAThousandHeldLongPolls() throws Exception {
		List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			polls.add(poll("/hold?ch=fanout&c=" + i));
		}
		gripway.awaitSubscribers("fanout", 1000);
		gripway.publishOk(PublishJson.response("fanout", "everyone"));
		CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
		for (CompletableFuture<HttpResponse<String>> poll : polls) {
			assertThat(poll.get().statusCode()).isEqualTo(200);
			assertThat(poll.get().body()).isEqualTo("everyone");
		}
		gripway.awaitSubscribers("fanout", 0);
	}

	@Test
	void skipSelfFilterDropsTheSendersOwnMessage() throws Exception {
		CompletableFuture<HttpResponse<String>> alice = poll("/hold?ch=room&filter=skip-self&user=alice");
		CompletableFuture<HttpResponse<String>> bob = poll("/hold?ch=room&filter=skip-self&user=bob");
		gripway.awaitSubscribers("room", 2);
		gripway.publishOk("""
				{"items":[{"channel":"room","meta":{"sender":"alice"},"formats":{"http-response":{"body":"from alice"}}}]}
				""");
		assertThat(bob.get(10, TimeUnit.SECONDS).body()).isEqualTo("from alice");
		Thread.sleep(200);
		assertThat(alice).isNotDone();
		gripway.publishOk("""
				{"items":[{"channel":"room","meta":{"sender":"bob"},"formats":{"http-response":{"body":"from bob"}}}]}
				""");
		assertThat(alice.get(10, TimeUnit.SECONDS).body()).isEqualTo("from bob");
	}

	@Test
	void repeatedIdIsDeliveredOnce() throws Exception {
		CompletableFuture<HttpResponse<String>> first = poll("/hold?ch=dedup");
		gripway.awaitSubscribers("dedup", 1);
		gripway.publishOk("""
				{"items":[{"channel":"dedup","id":"m1","formats":{"http-response":{"body":"one"}}}]}
				""");
		assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("one");
		CompletableFuture<HttpResponse<String>> second = poll("/hold?ch=dedup");
		gripway.awaitSubscribers("dedup", 1);
		gripway.publishOk("""
				{"items":[{"channel":"dedup","id":"m1","formats":{"http-response":{"body":"one again"}}}]}
				""");
		Thread.sleep(300);
		assertThat(second).isNotDone();
		gripway.publishOk("""
				{"items":[{"channel":"dedup","id":"m2","formats":{"http-response":{"body":"two"}}}]}
				""");
		assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo("two");
	}

	@Test
	void clientDisconnectReleasesTheHold() throws Exception {
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort())) {
			socket.send("GET /hold?ch=gone HTTP/1.1\r\nHost: x\r\n\r\n");
			gripway.awaitSubscribers("gone", 1);
		}
		gripway.awaitSubscribers("gone", 0);
		Await.until("no held long-polls left", Duration.ofSeconds(10),
				() -> gripway.registry().heldCount(Transport.RESPONSE) == 0);
	}

	@Test
	void invalidInstructionGives502AndTheProxyKeepsServing() throws Exception {
		HttpResponse<String> bad = poll("/bogus").get(10, TimeUnit.SECONDS);
		assertThat(bad.statusCode()).isEqualTo(502);
		assertThat(bad.body()).isEqualTo("Error while proxying to origin.\n");
		CompletableFuture<HttpResponse<String>> good = poll("/hold?ch=after-bogus");
		gripway.awaitSubscribers("after-bogus", 1);
		gripway.publishOk(PublishJson.response("after-bogus", "fine"));
		assertThat(good.get(10, TimeUnit.SECONDS).body()).isEqualTo("fine");
	}

	@Test
	void gripHeadersWithoutHoldAnswerAtOnceWithoutGripHeaders() throws Exception {
		HttpResponse<String> response = poll("/no-hold").get(10, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(201);
		assertThat(response.body()).isEqualTo("answered at once\n");
		assertThat(response.headers().firstValue("X-Visible")).hasValue("1");
		assertThat(response.headers().map().keySet()).noneMatch(name -> name.toLowerCase().startsWith("grip-"));
	}

	@Test
	void channelsBeyondTheSubscriptionLimitAreDropped() throws Exception {
		StringBuilder path = new StringBuilder("/hold?ch=limit-1");
		for (int i = 2; i <= 21; i++) {
			path.append("&ch=limit-").append(i);
		}
		CompletableFuture<HttpResponse<String>> held = poll(path.toString());
		gripway.awaitSubscribers("limit-20", 1);
		assertThat(gripway.registry().subscriberCount("limit-21")).isZero();
		gripway.publishOk(PublishJson.response("limit-21", "unseen"));
		Thread.sleep(300);
		assertThat(held).isNotDone();
		gripway.publishOk(PublishJson.response("limit-20", "seen"));
		assertThat(held.get(10, TimeUnit.SECONDS).body()).isEqualTo("seen");
	}

	@Test
	void originBodyLargerThanTheHoldLimitGives502() throws Exception {
		HttpResponse<String> response = poll("/big").get(10, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(gripway.registry().subscriberCount("big")).isZero();
	}

	@Test
	void holdsBeyondTheNodeLimitGet503() throws Exception {
		try (GripwayInstance small = GripwayInstance.start("gripway.origin=" + origin.url(),
				"gripway.hold.max-connections=1")) {
			CompletableFuture<HttpResponse<String>> first = client.sendAsync(
					HttpRequest.newBuilder(URI.create(small.proxyUrl() + "/hold?ch=one")).build(),
					HttpResponse.BodyHandlers.ofString());
			Await.until("first hold", Duration.ofSeconds(10), () -> small.registry().subscriberCount("one") == 1);
			HttpResponse<String> second = client.send(
					HttpRequest.newBuilder(URI.create(small.proxyUrl() + "/hold?ch=two")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(second.statusCode()).isEqualTo(503);
			small.publishOk(PublishJson.response("one", "first"));
			assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("first");
		}
	}

}
