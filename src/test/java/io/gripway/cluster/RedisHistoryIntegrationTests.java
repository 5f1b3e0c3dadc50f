package io.gripway.cluster;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.gripway.bus.MessageBus;
import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.RedisServer;
import io.gripway.test.ReliableOrigin;
import io.gripway.test.StreamClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static io.gripway.test.ReliableOrigin.itemsUpTo;
import static io.gripway.test.ReliableOrigin.streamPublish;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * History in Redis: what is published through one replica is replayed by another, without asking the origin; and a
 * history lost with a Redis restart is never taken for a complete one.
 */
// the restart goes last: replicas that reconnect report a gap, and their connections then recover from the origin
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisHistoryIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(15);

	static RedisServer redis;

	static ReliableOrigin origin;

	static GripwayInstance a;

	static GripwayInstance b;

	@BeforeAll
	static void start() {
		// this class restarts its Redis empty
		redis = RedisServer.ownedStarted();
		origin = new ReliableOrigin();
		a = replica();
		b = replica();
		Await.until("both replicas on Redis", WAIT, () -> bus(a).isAvailable() && bus(b).isAvailable());
	}

	static GripwayInstance replica() {
		return GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.bus.type=redis",
				"gripway.bus.redis.url=" + redis.url(), "gripway.history.channels=feed-*", "gripway.history.size=100");
	}

	@AfterAll
	static void stop() {
		b.close();
		a.close();
		origin.close();
		redis.close();
	}

	static void publishThroughA(String channel, int count) {
		for (int n = 0; n < count; n++) {
			a.publishOk(streamPublish(channel, origin.append(channel)));
		}
	}

	static MessageBus bus(GripwayInstance replica) {
		return replica.context().getBean(MessageBus.class);
	}

	/** Waits until Redis routes {@code channel} to a replica, so a publish reaches it. */
	static void awaitRedisSubscriber(String channel) {
		RedisClient client = RedisClient.create(redis.url());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			Await.until("a Redis subscriber of '" + channel + "'", WAIT, () -> connection.sync()
				.pubsubNumsub("gripway:" + channel)
				.getOrDefault("gripway:" + channel, 0L) > 0);
		}
		finally {
			client.shutdown();
		}
	}

	static long originAsked(String channel) {
		return origin.gripLast().stream().filter(value -> value.startsWith(channel + ";")).count();
	}

	@Test
	@Order(1)
	void aStreamOnOneReplicaIsCaughtUpWithWhatWasPublishedThroughAnother() {
		String channel = "feed-across";
		publishThroughA(channel, 3);
		try (StreamClient stream = StreamClient.open(b.proxyUrl() + "/stream?ch=" + channel + "&after=1")) {
			stream.awaitReceived("item 3\n", WAIT);
			b.awaitSubscribers(channel, 1);
			// live items keep coming through the other replica, after the replayed ones
			awaitRedisSubscriber(channel);
			publishThroughA(channel, 1);
			stream.awaitReceived("item 4\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 2\nitem 3\nitem 4\n");
			assertThat(originAsked(channel)).isZero();
		}
	}

	@Test
	@Order(2)
	void aStreamTakingAChannelNewToItsReplicaMissesNothingPublishedMeanwhile() throws Exception {
		String channel = "feed-busy";
		publishThroughA(channel, 1);
		// B holds nothing on the channel: the stream's hold subscribes it there while items keep coming through A
		ExecutorService publisher = Executors.newSingleThreadExecutor();
		try (StreamClient stream = StreamClient.open(b.proxyUrl() + "/stream?ch=" + channel + "&after=1")) {
			Future<?> publishing = publisher.submit(() -> {
				for (int n = 0; n < 60; n++) {
					publishThroughA(channel, 1);
					LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
				}
			});
			publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			stream.awaitReceived("item 61\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\n" + itemsUpTo(61).substring("item 1\n".length()));
			// the items published between the replay and the subscription taking effect did not need the origin
			assertThat(originAsked(channel)).isZero();
		}
		finally {
			publisher.shutdownNow();
		}
	}

	@Test
	@Order(3)
	void aHistoryLostWithARedisRestartIsNotTakenForAComplete() {
		String channel = "feed-lost";
		publishThroughA(channel, 2);
		redis.stop();
		redis.start();
		// both replicas reconnect; the history before the restart is gone, a new item is kept
		Await.until("replicas back on Redis", WAIT,
				() -> bus(a).isAvailable() && bus(b).isAvailable() && a.publish("{\"items\":[]}").statusCode() == 200);
		publishThroughA(channel, 1);
		try (StreamClient stream = StreamClient.open(b.proxyUrl() + "/stream?ch=" + channel + "&after=1")) {
			// item 1 is not in what Redis keeps now: the stream recovers from its origin, which has everything
			stream.awaitReceived("item 3\n", WAIT);
			assertThat(stream.received()).isEqualTo("open\nitem 2\nitem 3\n");
			assertThat(origin.gripLast()).contains(channel + "; last-id=1");
		}
	}

}
