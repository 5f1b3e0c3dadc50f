package io.gripway.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Await;
import io.gripway.test.FreePorts;
import io.gripway.test.GripwayInstance;
import io.gripway.test.PublishJson;
import io.gripway.test.RedisServer;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import io.gripway.test.WsClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three Gripway replicas sharing one real Redis: a publish to any replica reaches the connections held on every
 * replica, once and in order; Redis carries only the channels a replica holds; a Redis restart loses no subscription.
 */
class ClusterIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(20);

	static RedisServer redis;

	static TestOrigin origin;

	static GripwayInstance a;

	static GripwayInstance b;

	static GripwayInstance c;

	static RedisClient redisClient;

	static StatefulRedisConnection<String, String> redisCommands;

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@BeforeAll
	static void start() {
		// its own server, whatever REDIS_URL says: one test stops and restarts it
		redis = RedisServer.ownedStarted();
		origin = new TestOrigin();
		origin.route("/lp", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", param(request.uri(), "ch"))
			.sendString(Mono.just("timeout\n")));
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", param(request.uri(), "ch"))
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("open\n")));
		// a WebSocket-over-HTTP origin that accepts every connection and subscribes it to ?ch=
		origin.route("/ws", (request, response) -> {
			String subscribe = "c:{\"type\":\"subscribe\",\"channel\":\"" + param(request.uri(), "ch") + "\"}";
			String events = "OPEN\r\nTEXT " + Integer.toHexString(subscribe.length()) + "\r\n" + subscribe + "\r\n";
			return response.header("Content-Type", "application/websocket-events")
				.header("Sec-WebSocket-Extensions", "grip")
				// the opening request's body is exactly "OPEN\r\n"
				.sendString(Mono.just("6".equals(request.requestHeaders().get("Content-Length")) ? events : ""));
		});
		a = replica();
		b = replica();
		c = replica();
		redisClient = RedisClient.create(redis.url());
		redisCommands = redisClient.connect();
	}

	static GripwayInstance replica() {
		return GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.bus.type=redis",
				"gripway.bus.redis.url=" + redis.url(), "gripway.bus.redis.subscription-linger=1s",
				"gripway.bus.redis.command-timeout=1s");
	}

	@AfterAll
	static void stop() {
		for (AutoCloseable closeable : new AutoCloseable[] { a, b, c, origin }) {
			try {
				if (closeable != null) {
					closeable.close();
				}
			}
			catch (Exception ex) {
				// keep closing the rest
			}
		}
		if (redisCommands != null) {
			redisCommands.close();
			redisClient.shutdown();
		}
		if (redis != null) {
			redis.close();
		}
	}

	static String param(String uri, String name) {
		return new QueryStringDecoder(uri).parameters().get(name).get(0);
	}

	static CompletableFuture<HttpResponse<String>> poll(GripwayInstance replica, String channel) {
		return client.sendAsync(HttpRequest.newBuilder(URI.create(replica.proxyUrl() + "/lp?ch=" + channel))
			.timeout(Duration.ofSeconds(60))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** Waits until Redis routes {@code channel} to {@code count} replicas. */
	static void awaitRedisSubscribers(String channel, long count) {
		Await.until(WAIT, () -> redisSubscribers(channel) == count,
				() -> count + " Redis subscribers of '" + channel + "', have " + redisSubscribers(channel));
	}

	static long redisSubscribers(String channel) {
		Map<String, Long> numsub = redisCommands.sync().pubsubNumsub("gripway:" + channel);
		return numsub.getOrDefault("gripway:" + channel, 0L);
	}

	@Test
	void holdOnOneReplicaIsReleasedByAPublishToAnother() throws Exception {
		CompletableFuture<HttpResponse<String>> held = poll(b, "cross");
		b.awaitSubscribers("cross", 1);
		awaitRedisSubscribers("cross", 1);
		a.publishOk(PublishJson.response("cross", "from a"));
		HttpResponse<String> response = held.get(10, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("from a");
	}

	@Test
	void streamsOnTwoReplicasGetEveryMessageOnceAndInOrder() {
		try (StreamClient onA = StreamClient.open(a.proxyUrl() + "/stream?ch=ordered");
				StreamClient onB = StreamClient.open(b.proxyUrl() + "/stream?ch=ordered")) {
			onA.awaitReceived("open\n", WAIT);
			onB.awaitReceived("open\n", WAIT);
			awaitRedisSubscribers("ordered", 2);
			StringBuilder expected = new StringBuilder("open\n");
			for (int i = 1; i <= 100; i++) {
				c.publishOk(PublishJson.stream("ordered", i + "\\n"));
				expected.append(i).append('\n');
			}
			onA.awaitReceived("\n100\n", WAIT);
			onB.awaitReceived("\n100\n", WAIT);
			assertThat(onA.received()).isEqualTo(expected.toString());
			assertThat(onB.received()).isEqualTo(expected.toString());
		}
	}

	@Test
	void fanOutToAThousandLongPollsSpreadOverReplicas() throws Exception {
		GripwayInstance[] replicas = { a, b, c };
		List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			polls.add(poll(replicas[i % 3], "crowd"));
		}
		a.awaitSubscribers("crowd", 334);
		b.awaitSubscribers("crowd", 333);
		c.awaitSubscribers("crowd", 333);
		awaitRedisSubscribers("crowd", 3);
		b.publishOk(PublishJson.response("crowd", "everyone"));
		CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
		for (CompletableFuture<HttpResponse<String>> poll : polls) {
			assertThat(poll.get().statusCode()).isEqualTo(200);
			assertThat(poll.get().body()).isEqualTo("everyone");
		}
	}

	@Test
	void replicaWithoutSubscribersIsNotSentTheChannelAndLingersAfterTheLast() throws Exception {
		CompletableFuture<HttpResponse<String>> held = poll(a, "only-a");
		a.awaitSubscribers("only-a", 1);
		awaitRedisSubscribers("only-a", 1);
		assertThat(redisSubscribers("only-a")).isEqualTo(1);
		long publishedAt = System.nanoTime();
		c.publishOk(PublishJson.response("only-a", "done"));
		assertThat(held.get(10, TimeUnit.SECONDS).body()).isEqualTo("done");
		// the long-poll is over, but its Redis subscription lingers for a re-poll, and goes once the linger (1 s here)
		// has passed without one: not sooner (a slow machine can only make it later; without a linger it would go
		// within a few milliseconds)
		awaitRedisSubscribers("only-a", 0);
		assertThat(Duration.ofNanos(System.nanoTime() - publishedAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void redisRestartKeepsHeldConnectionsAndSubscriptionsAndRefusesPublishesMeanwhile() throws Exception {
		try (StreamClient onA = StreamClient.open(a.proxyUrl() + "/stream?ch=outage");
				StreamClient onB = StreamClient.open(b.proxyUrl() + "/stream?ch=outage")) {
			onA.awaitReceived("open\n", WAIT);
			onB.awaitReceived("open\n", WAIT);
			awaitRedisSubscribers("outage", 2);
			c.publishOk(PublishJson.stream("outage", "before\\n"));
			onA.awaitReceived("before\n", WAIT);
			onB.awaitReceived("before\n", WAIT);

			redis.stop();
			Await.until("publish refused while Redis is down", WAIT,
					() -> c.publish(PublishJson.stream("outage", "lost\\n")).statusCode() == 503);
			assertThat(c.publish(PublishJson.stream("outage", "lost\\n")).body()).startsWith("Service Unavailable");

			redis.start();
			awaitRedisSubscribers("outage", 2);
			Await.until("publish accepted after Redis is back", WAIT,
					() -> c.publish(PublishJson.stream("outage", "after\\n")).statusCode() == 200);
			onA.awaitReceived("after\n", WAIT);
			onB.awaitReceived("after\n", WAIT);
			assertThat(onA.completed()).isFalse();
			assertThat(onA.received()).doesNotContain("lost");
			assertThat(onB.received()).doesNotContain("lost");
			assertThat(onA.received()).startsWith("open\nbefore\n").endsWith("after\n");
		}
	}

	@Test
	void redisUnreachableAtStartupStillProxiesButRefusesPublishes() throws Exception {
		int deadPort = FreePorts.next();
		origin.route("/hello", (request, response) -> response.sendString(Mono.just("hello\n")));
		try (GripwayInstance orphan = GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.bus.type=redis",
				"gripway.bus.redis.url=redis://127.0.0.1:" + deadPort, "gripway.bus.redis.command-timeout=500ms")) {
			HttpResponse<String> proxied = client.send(
					HttpRequest.newBuilder(URI.create(orphan.proxyUrl() + "/hello")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(proxied.body()).isEqualTo("hello\n");
			HttpResponse<String> publish = orphan.publish(PublishJson.response("nobody", "x"));
			assertThat(publish.statusCode()).isEqualTo(503);
			assertThat(publish.body()).startsWith("Service Unavailable");
		}
	}

	@Test
	void aReplicaGoingAwayLeavesTheOthersWorking() throws Exception {
		GripwayInstance doomed = replica();
		CompletableFuture<HttpResponse<String>> onDoomed = poll(doomed, "survive");
		CompletableFuture<HttpResponse<String>> onB = poll(b, "survive");
		doomed.awaitSubscribers("survive", 1);
		b.awaitSubscribers("survive", 1);
		awaitRedisSubscribers("survive", 2);
		doomed.close();
		awaitRedisSubscribers("survive", 1);
		// the replica drained on its way out: its long-poll got the timeout response, for the client to re-poll
		assertThat(onDoomed.get(20, TimeUnit.SECONDS).body()).isEqualTo("timeout\n");
		a.publishOk(PublishJson.response("survive", "still here"));
		assertThat(onB.get(10, TimeUnit.SECONDS).body()).isEqualTo("still here");
	}

	@Test
	void webSocketOnOneReplicaGetsAPublishToAnother() {
		try (WsClient client = WsClient.connect("ws://127.0.0.1:" + b.proxyPort() + "/ws?ch=ws-cross")) {
			b.awaitSubscribers("ws-cross", 1);
			awaitRedisSubscribers("ws-cross", 1);
			a.publishOk("{\"items\":[{\"channel\":\"ws-cross\",\"formats\":{\"ws-message\":{\"content\":\"hi\"}}}]}");
			WsClient.Frame frame = client.next(WAIT);
			assertThat(frame.type()).isEqualTo("TEXT");
			assertThat(frame.text()).isEqualTo("hi");
		}
		b.awaitSubscribers("ws-cross", 0);
	}

}
