package io.gripway.history;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.gripway.test.GripwayInstance;
import io.gripway.test.ReliableOrigin;
import io.gripway.test.StreamClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.gripway.test.ReliableOrigin.itemsUpTo;
import static io.gripway.test.ReliableOrigin.streamPublish;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * History at the edge across the wire: connections held behind their channel are caught up by Gripway from history,
 * without a request to the origin, and fall back to the origin where history cannot prove what they missed.
 */
class HistoryIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static ReliableOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new ReliableOrigin();
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.history.channels=feed-*",
				"gripway.history.size=5", "gripway.hold.message-wait=1s");
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	/** Stores and publishes items up to {@code last} on {@code channel}, with nobody listening. */
	static void published(String channel, int last) {
		for (int n = 1; n <= last; n++) {
			gripway.publishOk(streamPublish(channel, origin.append(channel)));
		}
	}

	static long originRequests(String channel) {
		return origin.gripLast().stream().filter(value -> value.startsWith(channel + ";")).count();
	}

	@Test
	void aStreamHeldBehindIsCaughtUpFromHistoryThenGetsLiveItems() {
		String channel = "feed-stream";
		published(channel, 3);
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + channel + "&after=1")) {
			stream.awaitReceived("item 3\n", WAIT);
			gripway.awaitSubscribers(channel, 1);
			gripway.publishOk(streamPublish(channel, origin.append(channel)));
			stream.awaitReceived("item 4\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 2\nitem 3\nitem 4\n");
			// no next-link fetch: Gripway had it all
			assertThat(originRequests(channel)).isZero();
		}
	}

	@Test
	void aCatchUpLongerThanTheClientsQueueIsOneWriteNotASlowClient() {
		// each stream may have 2 messages waiting for its socket; the catch-up is 7 items
		try (GripwayInstance small = GripwayInstance.start("gripway.origin=" + origin.url(),
				"gripway.history.channels=feed-*", "gripway.history.size=10", "gripway.hold.queue-capacity=2")) {
			String channel = "feed-long-catch-up";
			for (int n = 1; n <= 8; n++) {
				small.publishOk(streamPublish(channel, origin.append(channel)));
			}
			try (StreamClient stream = StreamClient.open(small.proxyUrl() + "/stream?ch=" + channel + "&after=1")) {
				stream.awaitReceived("item 8\n", WAIT);
				small.awaitSubscribers(channel, 1);
				small.publishOk(streamPublish(channel, origin.append(channel)));
				stream.awaitReceived("item 9\n", WAIT);
				assertThat(stream.received()).isEqualTo("open\n" + itemsUpTo(9).substring("item 1\n".length()));
				assertThat(stream.completed()).as("stream ended").isFalse();
				assertThat(originRequests(channel)).isZero();
			}
		}
	}

	@Test
	void aStreamBehindFurtherThanHistoryReachesFallsBackToItsNextLink() {
		String channel = "feed-trimmed";
		// history keeps 5 items: 1 and 2 are gone
		published(channel, 7);
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + channel + "&after=1")) {
			stream.awaitReceived("item 7\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 2\nitem 3\nitem 4\nitem 5\nitem 6\nitem 7\n");
			assertThat(origin.gripLast()).contains(channel + "; last-id=1");
		}
	}

	@Test
	void aStreamThatIsCurrentGetsNothingReplayed() {
		String channel = "feed-current";
		published(channel, 2);
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + channel + "&after=2")) {
			stream.awaitReceived("open\n", WAIT);
			gripway.awaitSubscribers(channel, 1);
			gripway.publishOk(streamPublish(channel, origin.append(channel)));
			stream.awaitReceived("item 3\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 3\n");
			assertThat(originRequests(channel)).isZero();
		}
	}

	@Test
	void aLongPollHeldBehindIsAnsweredAtOnceFromHistory() throws Exception {
		String channel = "feed-poll";
		published(channel, 3);
		// the origin holds it at 1 (a stale view); history has 2 and 3
		HttpResponse<String> poll = http
			.sendAsync(HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/poll?ch=" + channel + "&after=1&stale=1"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(poll.statusCode()).isEqualTo(200);
		assertThat(poll.body()).isEqualTo("item 2\n");
		assertThat(originRequests(channel)).isZero();
	}

	@Test
	void channelsHistoryDoesNotCoverRecoverFromTheirOrigin() {
		String channel = "elsewhere";
		published(channel, 3);
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream?ch=" + channel + "&after=1")) {
			stream.awaitReceived("open\n", WAIT);
			gripway.awaitSubscribers(channel, 1);
			// nothing is replayed until item 4 shows the gap; then the origin, not history, fills it
			assertThat(stream.received()).isEqualTo("open\n");
			gripway.publishOk(streamPublish(channel, origin.append(channel)));
			stream.awaitReceived("item 4\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 2\nitem 3\nitem 4\n");
			assertThat(origin.gripLast()).contains(channel + "; last-id=1");
		}
	}

}
