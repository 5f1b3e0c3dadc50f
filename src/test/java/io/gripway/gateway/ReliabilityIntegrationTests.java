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

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.ReliableOrigin;
import io.gripway.test.StreamClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static io.gripway.test.ReliableOrigin.itemsUpTo;
import static io.gripway.test.ReliableOrigin.streamPublish;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GRIP's reliability half across the wire (reference §2.5, §3.4): prev-id ordering, next links with
 * {@code Grip-Last}, retried long-polls, hints, {@code /recover}, chained pages, gone links, retries with backoff and
 * collapsed fetches, against an origin that keeps a store and answers next links from it.
 */
class ReliabilityIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static ReliableOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new ReliableOrigin();
		origin.origin().route("/plain-stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", request.uri().substring(request.uri().indexOf("ch=") + 3))
			.sendString(Mono.just("open\n")));
		origin.origin().route("/first", (request, response) -> response.header("Grip-Link", "</second>; rel=next")
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("hello\n")));
		origin.origin().route("/second", (request, response) -> response.header("Grip-Link", "</third>; rel=next")
			.sendString(Mono.just("world\n")));
		origin.origin().route("/third", (request, response) -> response.sendString(Mono.just("!\n")));
		origin.origin().route("/with-gone", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "gone-channel")
			.header("Grip-Link", "</gone?who=1>; rel=gone")
			.sendString(Mono.just("open\n")));
		origin.origin().route("/gone", (request, response) -> response.status(204).send());
		origin.origin().route("/broken-link", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "broken; prev-id=1")
			.header("Grip-Link", "</failing>; rel=next")
			.sendString(Mono.just("open\n")));
		origin.origin().route("/failing", (request, response) -> response.status(500).sendString(Mono.just("no\n")));
		origin.origin().route("/no-link", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "unlinked; prev-id=3")
			.sendString(Mono.just("open\n")));
		origin.origin().route("/idle", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "idle; prev-id=1")
			.header("Grip-Link", "</next?ch=idle>; rel=next; timeout=1")
			.sendString(Mono.just("open\n")));
		origin.origin().route("/events", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "events-c1; prev-id=6; filter=build-id")
			.header("Grip-Set-Meta", "id_format=\"c1:%(events-c1)s\"")
			.header("Grip-Link", "</next?ch=events-c1>; rel=next")
			.header("Content-Type", "text/event-stream")
			.sendString(Mono.just(":open\n\n")));
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.hold.message-wait=1s",
				"gripway.reliability.retry-base=50ms", "gripway.reliability.max-retries=2");
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	static void awaitSubscribers(String channel, int count) {
		gripway.awaitSubscribers(channel, count);
	}

	static String streamItem(String channel, String id, String prevId, String content) {
		return "{\"items\":[{\"channel\":\"" + channel + "\",\"id\":\"" + id + "\",\"prev-id\":\"" + prevId
				+ "\",\"formats\":{\"http-stream\":{\"content\":\"" + content + "\"}}}]}";
	}

	static CompletableFuture<HttpResponse<String>> get(String path) {
		return http.sendAsync(HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void itemsPublishedOutOfOrderReachAStreamInPrevIdOrder() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/plain-stream?ch=seq")) {
			stream.awaitReceived("open\n", WAIT);
			awaitSubscribers("seq", 1);
			gripway.publishOk(streamItem("seq", "1", "0", "one\\n"));
			stream.awaitReceived("one\n", WAIT);
			// 3 is published before 2: it must wait for 2, not go out first
			gripway.publishOk(streamItem("seq", "3", "2", "three\\n"));
			gripway.publishOk(streamItem("seq", "2", "1", "two\\n"));
			stream.awaitReceived("three\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\none\ntwo\nthree\n");
		}
	}

	@Test
	void anItemWhosePredecessorNeverComesGoesOutAfterTheMessageWait() throws InterruptedException {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/plain-stream?ch=wait")) {
			stream.awaitReceived("open\n", WAIT);
			awaitSubscribers("wait", 1);
			gripway.publishOk(streamItem("wait", "1", "0", "one\\n"));
			stream.awaitReceived("one\n", WAIT);
			gripway.publishOk(streamItem("wait", "5", "4", "five\\n"));
			// the wait is 1 s here (5 s by default): not out at once...
			Thread.sleep(300);
			assertThat(stream.received()).isEqualTo("open\none\n");
			// ...but out once it has waited
			stream.awaitReceived("five\n", WAIT);
			assertThat(gripway.registry().sequencerCounts().releasedByTimer()).isPositive();
		}
	}

	@Test
	void aStreamThatMissesAnItemFetchesItsNextLinkWithGripLastAndGetsEveryItemInOrderOnce() {
		String channel = "gap";
		origin.append(channel);
		origin.append(channel);
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + channel)) {
			stream.awaitReceived("open\n", WAIT);
			awaitSubscribers(channel, 1);
			gripway.publishOk(streamPublish(channel, origin.append(channel)));
			stream.awaitReceived("item 3\n", WAIT);
			// item 4 is stored but its publish is lost; item 5's prev-id names it
			origin.append(channel);
			gripway.publishOk(streamPublish(channel, origin.append(channel)));
			stream.awaitReceived("item 5\n", WAIT);
			gripway.publishOk(streamPublish(channel, origin.append(channel)));
			stream.awaitReceived("item 6\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 3\nitem 4\nitem 5\nitem 6\n");
			assertThat(origin.gripLast()).contains(channel + "; last-id=3");
		}
	}

	@Test
	void aHintMakesAStreamFetchItsNextLinkAtOnce() {
		String channel = "hinted";
		origin.append(channel);
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + channel)) {
			stream.awaitReceived("open\n", WAIT);
			awaitSubscribers(channel, 1);
			origin.append(channel);
			gripway.publishOk("{\"items\":[{\"channel\":\"" + channel
					+ "\",\"formats\":{\"http-stream\":{\"action\":\"hint\"}}}]}");
			stream.awaitReceived("item 2\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 2\n");
			assertThat(origin.gripLast()).contains(channel + "; last-id=1");
		}
	}

	@Test
	void recoverSendsStreamsToTheirNextLinkAndLongPollsBackToTheirOrigin() throws Exception {
		String streamed = "recovered-stream";
		String polled = "recovered-poll";
		origin.append(streamed);
		origin.append(polled);
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + streamed)) {
			stream.awaitReceived("open\n", WAIT);
			CompletableFuture<HttpResponse<String>> poll = get("/poll?ch=" + polled + "&after=1");
			awaitSubscribers(streamed, 1);
			awaitSubscribers(polled, 1);
			// both missed an item (stored, never published)
			origin.append(streamed);
			origin.append(polled);
			HttpResponse<String> recover = gripway.recover();
			assertThat(recover.statusCode()).isEqualTo(200);
			assertThat(recover.body()).isEqualTo("Updated\n");
			stream.awaitReceived("item 2\n", WAIT);
			HttpResponse<String> answered = poll.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(answered.statusCode()).isEqualTo(200);
			assertThat(answered.body()).isEqualTo("item 2\n");
			assertThat(origin.gripLast()).contains(polled + "; last-id=1", streamed + "; last-id=1");
		}
	}

	@Test
	void aLongPollWhosePrevIdIsAlreadyBehindIsRetriedAtOnceWithGripLast() throws Exception {
		String channel = "behind";
		// a stream keeps the channel followed on this node, so its last id is known
		try (StreamClient anchor = StreamClient.open(gripway.proxyUrl() + "/plain-stream?ch=" + channel)) {
			anchor.awaitReceived("open\n", WAIT);
			awaitSubscribers(channel, 1);
			origin.append(channel);
			origin.append(channel);
			gripway.publishOk(streamPublish(channel, "1"));
			gripway.publishOk(streamPublish(channel, "2"));
			anchor.awaitReceived("item 2\n", WAIT);
			long retriesBefore = origin.gripLast().stream().filter(v -> v.startsWith(channel + ";")).count();
			// the client's view is stale: it has seen item 1 only, and the origin (through a cache, say) holds it
			// at prev-id 1; Gripway knows the channel is at 2 and sends the request back with Grip-Last
			HttpResponse<String> poll = get("/poll?ch=" + channel + "&after=1&stale=1").get(WAIT.toSeconds(),
					TimeUnit.SECONDS);
			assertThat(poll.body()).isEqualTo("item 2\n");
			assertThat(origin.gripLast().stream().filter(v -> v.startsWith(channel + ";")).count())
				.isGreaterThan(retriesBefore);
		}
	}

	@Test
	void aStreamHeldAtAnItemWhosePublishIsStillOnItsWayTakesThatPublishForARepeatNotAGap() {
		String channel = "ahead-stream";
		// the origin counts item 1 and holds the stream at it before item 1's publish arrives
		origin.append(channel);
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + channel)) {
			stream.awaitReceived("open\n", WAIT);
			awaitSubscribers(channel, 1);
			gripway.publishOk(streamPublish(channel, "1"));
			gripway.publishOk(streamPublish(channel, origin.append(channel)));
			stream.awaitReceived("item 2\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 2\n");
			assertThat(origin.gripLast()).noneMatch(value -> value.startsWith(channel + ";"));
		}
	}

	@Test
	void aLongPollHeldAtAnItemWhosePublishIsStillOnItsWayWaitsForTheNextOne() throws Exception {
		String channel = "ahead-poll";
		origin.append(channel);
		CompletableFuture<HttpResponse<String>> poll = get("/poll?ch=" + channel + "&after=1");
		awaitSubscribers(channel, 1);
		gripway.publishOk(streamPublish(channel, "1"));
		gripway.publishOk(streamPublish(channel, origin.append(channel)));
		HttpResponse<String> answered = poll.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(answered.body()).isEqualTo("item 2\n");
		assertThat(origin.gripLast()).noneMatch(value -> value.startsWith(channel + ";"));
	}

	@Test
	void aLongPollThatSeesAGapIsRetriedWithItsLastId() throws Exception {
		String channel = "poll-gap";
		origin.append(channel);
		CompletableFuture<HttpResponse<String>> poll = get("/poll?ch=" + channel + "&after=1");
		awaitSubscribers(channel, 1);
		origin.append(channel);
		origin.append(channel);
		// item 2's publish is lost; item 3 names it (no-seq: straight to the connection, which sees the gap)
		gripway.publishOk("{\"items\":[{\"channel\":\"" + channel + "\",\"id\":\"3\",\"prev-id\":\"2\",\"no-seq\":true,"
				+ "\"formats\":{\"http-response\":{\"body\":\"item 3\\n\"}}}]}");
		HttpResponse<String> answered = poll.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(answered.body()).isEqualTo("item 2\nitem 3\n");
		assertThat(origin.gripLast()).contains(channel + "; last-id=1");
	}

	@Test
	void aLongPollMadeWithABodyIsRetriedWithTheSameMethodAndBody() throws Exception {
		String channel = "post-gap";
		origin.append(channel);
		CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
				HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/poll?ch=" + channel + "&after=1"))
					.POST(HttpRequest.BodyPublishers.ofString("{\"since\": 1}"))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		awaitSubscribers(channel, 1);
		origin.append(channel);
		gripway.publishOk("{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{\"http-response\":"
				+ "{\"action\":\"hint\"}}}]}");
		assertThat(poll.get(WAIT.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("item 2\n");
		List<io.gripway.test.TestOrigin.Received> posts = origin.origin()
			.received()
			.stream()
			.filter(r -> r.uri().startsWith("/poll?ch=" + channel))
			.toList();
		assertThat(posts).hasSize(2).allSatisfy(r -> {
			assertThat(r.method()).isEqualTo("POST");
			assertThat(r.bodyText()).isEqualTo("{\"since\": 1}");
		});
		assertThat(posts.get(1).headers().getAll("Grip-Last")).containsExactly(channel + "; last-id=1");
	}

	@Test
	void aPageWithNoHoldButANextLinkIsFollowedUntilThePagesEnd() {
		try (StreamClient pages = StreamClient.open(gripway.proxyUrl() + "/first")) {
			pages.awaitEnd(WAIT);
			assertThat(pages.status()).isEqualTo(200);
			assertThat(pages.received()).isEqualTo("hello\nworld\n!\n");
			assertThat(pages.headers().get("Content-Type")).isEqualTo("text/plain");
		}
	}

	@Test
	void aGoneLinkIsPostedWhenTheClientLeaves() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/with-gone")) {
			stream.awaitReceived("open\n", WAIT);
			awaitSubscribers("gone-channel", 1);
		}
		Await.until("POST /gone", WAIT, () -> origin.origin()
			.received()
			.stream()
			.anyMatch(r -> r.method().equals("POST") && r.uri().equals("/gone?who=1") && r.body().length == 0));
	}

	@Test
	void aNextLinkThatKeepsFailingIsRetriedWithBackoffThenTheStreamEnds() {
		long before = origin.requests("/failing");
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/broken-link")) {
			stream.awaitReceived("open\n", WAIT);
			awaitSubscribers("broken", 1);
			gripway.publishOk(streamItem("broken", "3", "2", "three\\n"));
			stream.awaitEnd(WAIT);
			// one request and max-retries (2) retries
			assertThat(origin.requests("/failing") - before).isEqualTo(3);
			assertThat(stream.received()).isEqualTo("open\n");
			assertThat(stream.error()).isNull();
		}
	}

	@Test
	void aStreamWithAPrevIdButNoNextLinkIsAnOriginError() throws Exception {
		HttpResponse<String> response = get("/no-link").get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(response.body()).isEqualTo("Error while proxying to origin.\n");
	}

	@Test
	void identicalNextLinkFetchesOfManyStreamsAreCollapsed() {
		String channel = "collapse";
		origin.append(channel);
		List<StreamClient> streams = new ArrayList<>();
		try {
			for (int n = 0; n < 20; n++) {
				StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + channel);
				streams.add(stream);
				stream.awaitReceived("open\n", WAIT);
			}
			awaitSubscribers(channel, 20);
			origin.append(channel);
			origin.delayNextLinks(Duration.ofMillis(500));
			long before = origin.requests("/next?ch=" + channel);
			gripway.publishOk("{\"items\":[{\"channel\":\"" + channel
					+ "\",\"formats\":{\"http-stream\":{\"action\":\"hint\"}}}]}");
			for (StreamClient stream : streams) {
				stream.awaitReceived("item 2\n", WAIT);
				assertThat(stream.received()).isEqualTo("open\nitem 2\n");
			}
			// the same link with the same Grip-Last, in flight together: far fewer requests than streams
			assertThat(origin.requests("/next?ch=" + channel) - before).isLessThan(5);
		}
		finally {
			origin.delayNextLinks(Duration.ZERO);
			streams.forEach(StreamClient::close);
		}
	}

	@Test
	void aStreamQuietForItsNextLinksTimeoutIsRefreshedThroughIt() {
		origin.append("idle");
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/idle")) {
			stream.awaitReceived("open\n", WAIT);
			// stored, never published: only the refresh after 1 s of silence can bring it
			origin.append("idle");
			stream.awaitReceived("item 2\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 2\n");
			assertThat(origin.gripLast()).contains("idle; last-id=1");
		}
	}

	@Test
	void buildIdRendersTheConnectionsIdsIntoPublishedContent() {
		try (StreamClient events = StreamClient.open(gripway.proxyUrl() + "/events")) {
			events.awaitReceived(":open\n\n", WAIT);
			awaitSubscribers("events-c1", 1);
			gripway.publishOk("{\"items\":[{\"channel\":\"events-c1\",\"id\":\"7\",\"prev-id\":\"6\","
					+ "\"formats\":{\"http-stream\":{\"content\":\"event: message\\nid: %I\\ndata: 100%%\\n\\n\","
					+ "\"content-filters\":[\"build-id\"]}}}]}");
			events.awaitReceived("data: 100%\n\n", WAIT);
			assertThat(events.received()).isEqualTo(":open\n\nevent: message\nid: c1:7\ndata: 100%\n\n");
		}
	}

}
