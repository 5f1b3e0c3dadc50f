package io.gripway.cluster;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import io.gripway.test.RedisSentinels;
import io.gripway.test.RedisServer;
import io.gripway.test.ReliableOrigin;
import io.gripway.test.StreamClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.gripway.test.ReliableOrigin.itemsUpTo;
import static io.gripway.test.ReliableOrigin.streamPublish;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Gripway replicas on the standalone Redis bus with a {@code redis-sentinel://} URL over a real master, replica
 * and three Sentinels ({@link RedisSentinels}): when the master is killed, publishes get 503 until Sentinel promotes
 * the replica, then Gripway follows it without a restart, and a stream held meanwhile recovers what it missed.
 */
@ExtendWith(NettyLeakCheck.class)
class RedisSentinelIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(30);

	static RedisSentinels sentinels;

	static ReliableOrigin origin;

	static GripwayInstance a;

	static GripwayInstance b;

	@BeforeAll
	static void start() {
		sentinels = RedisSentinels.start();
		origin = new ReliableOrigin();
		a = replica();
		b = replica();
	}

	static GripwayInstance replica() {
		return GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.bus.type=redis",
				"gripway.bus.redis.url=" + sentinels.url(), "gripway.bus.redis.command-timeout=1s",
				"gripway.hold.message-wait=1s", "gripway.reliability.retry-base=100ms");
	}

	@AfterAll
	static void stop() {
		for (AutoCloseable closeable : new AutoCloseable[] { a, b, origin, sentinels }) {
			try {
				if (closeable != null) {
					closeable.close();
				}
			}
			catch (Exception ex) {
				// keep closing the rest
			}
		}
	}

	@Test
	void killedMasterIsReplacedBySentinelAndGripwayFollowsIt() {
		RedisServer master = sentinels.master();
		try (StreamClient stream = StreamClient.open(a.proxyUrl() + "/stream?ch=news").awaitHeaders(WAIT)) {
			Await.until(WAIT, () -> sentinels.subscribers(master, "gripway:news") == 1, () -> "a subscribed");
			b.publishOk(streamPublish("news", origin.append("news")));
			stream.awaitReceived("open\n" + itemsUpTo(1), WAIT);

			long killedAt = System.nanoTime();
			master.kill();
			String missed = origin.append("news");
			assertThat(b.publish(streamPublish("news", missed)).statusCode()).isEqualTo(503);

			Await.until(WAIT, () -> {
				try {
					return sentinels.master() != master;
				}
				catch (RuntimeException ex) {
					return false;
				}
			}, () -> "the replica promoted");
			RedisServer promoted = sentinels.master();
			assertThat(sentinels.info(promoted, "replication")).contains("role:master");
			String after = origin.append("news");
			Await.until(WAIT, () -> b.publish(streamPublish("news", after)).statusCode() == 200,
					() -> "a publish accepted by the new master");
			long acceptedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

			// the missed item comes from the origin (gap after the reconnect), the next one through the new master
			stream.awaitReceived("open\n" + itemsUpTo(3), WAIT);
			assertThat(stream.received()).isEqualTo("open\n" + itemsUpTo(3));
			assertThat(sentinels.subscribers(promoted, "gripway:news")).isEqualTo(1);
			System.out.println("Sentinel failover: publishes accepted again " + acceptedMillis + " ms after the kill");
		}
	}

}
