package io.gripway.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.RedisServer;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import io.gripway.test.WsClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas on one Redis bus: the same item (same channel and id) published twice, once through each replica
 * (a publisher that retries on another node, or publishes to every node), within the id cache TTL, reaches each
 * stream and each WebSocket on either replica once. The next item, with another id, shows nothing came in between.
 */
class IdDeduplicationIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(20);

	/** Its own Redis channel prefix, so a shared {@code REDIS_URL} server's other users neither see nor disturb it. */
	static final String PREFIX = "gripway-dedup-" + UUID.randomUUID() + ":";

	static RedisServer redis;

	static TestOrigin origin;

	static GripwayInstance a;

	static GripwayInstance b;

	static RedisClient redisClient;

	static StatefulRedisConnection<String, String> redisCommands;

	@BeforeAll
	static void start() {
		redis = RedisServer.started();
		origin = new TestOrigin();
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", channel(request.uri()))
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("open\n")));
		origin.route("/ws", (request, response) -> {
			String subscribe = "c:{\"type\":\"subscribe\",\"channel\":\"" + channel(request.uri()) + "\"}";
			String events = "OPEN\r\nTEXT " + Integer.toHexString(subscribe.length()) + "\r\n" + subscribe + "\r\n";
			return response.header("Content-Type", "application/websocket-events")
				.header("Sec-WebSocket-Extensions", "grip")
				// the opening request's body is exactly "OPEN\r\n"
				.sendString(Mono.just("6".equals(request.requestHeaders().get("Content-Length")) ? events : ""));
		});
		a = replica();
		b = replica();
		redisClient = RedisClient.create(redis.url());
		redisCommands = redisClient.connect();
	}

	static GripwayInstance replica() {
		return GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.bus.type=redis",
				"gripway.bus.redis.url=" + redis.url(), "gripway.bus.redis.channel-prefix=" + PREFIX,
				"gripway.hold.id-cache-ttl=60s");
	}

	@AfterAll
	static void stop() {
		for (AutoCloseable closeable : new AutoCloseable[] { a, b, origin, redis }) {
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
	}

	static String channel(String uri) {
		return uri.substring(uri.indexOf("ch=") + 3);
	}

	@Test
	void streamsOnBothReplicasGetAnIdPublishedThroughEachReplicaOnce() {
		try (StreamClient onA = StreamClient.open(a.proxyUrl() + "/stream?ch=dedup-stream");
				StreamClient onB = StreamClient.open(b.proxyUrl() + "/stream?ch=dedup-stream")) {
			onA.awaitReceived("open\n", WAIT);
			onB.awaitReceived("open\n", WAIT);
			awaitRedisSubscribers("dedup-stream", 2);
			String once = item("dedup-stream", "m1", "http-stream", "once\\n");
			a.publishOk(once);
			b.publishOk(once);
			a.publishOk(item("dedup-stream", "m2", "http-stream", "next\\n"));
			onA.awaitReceived("next\n", WAIT);
			onB.awaitReceived("next\n", WAIT);
			assertThat(onA.received()).isEqualTo("open\nonce\nnext\n");
			assertThat(onB.received()).isEqualTo("open\nonce\nnext\n");
		}
	}

	@Test
	void webSocketsOnBothReplicasGetAnIdPublishedThroughEachReplicaOnce() throws Exception {
		try (WsClient onA = WsClient.connect("ws://127.0.0.1:" + a.proxyPort() + "/ws?ch=dedup-ws");
				WsClient onB = WsClient.connect("ws://127.0.0.1:" + b.proxyPort() + "/ws?ch=dedup-ws")) {
			a.awaitSubscribers("dedup-ws", 1);
			b.awaitSubscribers("dedup-ws", 1);
			awaitRedisSubscribers("dedup-ws", 2);
			String once = item("dedup-ws", "w1", "ws-message", "once");
			b.publishOk(once);
			a.publishOk(once);
			b.publishOk(item("dedup-ws", "w2", "ws-message", "next"));
			for (WsClient client : new WsClient[] { onA, onB }) {
				assertThat(client.next(WAIT).text()).isEqualTo("once");
				assertThat(client.next(WAIT).text()).isEqualTo("next");
				assertThat(client.poll(Duration.ofMillis(200))).isNull();
			}
		}
	}

	static String item(String channel, String id, String format, String content) {
		return "{\"items\":[{\"channel\":\"" + channel + "\",\"id\":\"" + id + "\",\"formats\":{\"" + format
				+ "\":{\"content\":\"" + content + "\"}}}]}";
	}

	/** Waits until Redis routes {@code channel} to {@code count} replicas. */
	static void awaitRedisSubscribers(String channel, long count) {
		Await.until(WAIT, () -> redisSubscribers(channel) == count,
				() -> count + " Redis subscribers of '" + channel + "', have " + redisSubscribers(channel));
	}

	static long redisSubscribers(String channel) {
		Map<String, Long> numsub = redisCommands.sync().pubsubNumsub(PREFIX + channel);
		return numsub.getOrDefault(PREFIX + channel, 0L);
	}

}
