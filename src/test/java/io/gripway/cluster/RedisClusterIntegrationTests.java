package io.gripway.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import io.gripway.test.RedisCluster;
import io.gripway.test.RedisServer;
import io.gripway.test.ReliableOrigin;
import io.gripway.test.StreamClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import static io.gripway.test.ReliableOrigin.itemsUpTo;
import static io.gripway.test.ReliableOrigin.streamPublish;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Gripway replicas on {@code gripway.bus.type=redis-cluster} over a real Redis Cluster of three shards
 * ({@link RedisCluster}): connections are held on one replica and published to on the other; each channel travels
 * only through its own shard (sharded pub/sub, no global SUBSCRIBE); a killed shard master is replaced, publishes on
 * its channels get 503 meanwhile and are accepted and delivered after, and streams recover what they missed. The
 * failover test runs last: it leaves the cluster with a dead node.
 */
@ExtendWith(NettyLeakCheck.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(30);

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static RedisCluster cluster;

	static ReliableOrigin origin;

	static GripwayInstance a;

	static GripwayInstance b;

	@BeforeAll
	static void start() {
		cluster = RedisCluster.start();
		origin = new ReliableOrigin();
		origin.origin().route("/lp", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", request.uri().substring(request.uri().indexOf("ch=") + 3))
			.sendString(Mono.just("timeout\n")));
		a = replica();
		b = replica();
	}

	static GripwayInstance replica() {
		return GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.bus.type=redis-cluster",
				"gripway.bus.redis.url=" + cluster.seeds(), "gripway.bus.redis.subscription-linger=1s",
				"gripway.bus.redis.command-timeout=1s", "gripway.bus.redis.topology-refresh=1s",
				"gripway.hold.message-wait=1s", "gripway.reliability.retry-base=100ms",
				"gripway.history.channels=kept-*");
	}

	@AfterAll
	static void stop() {
		for (AutoCloseable closeable : new AutoCloseable[] { a, b, origin, cluster }) {
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

	/** {@code perShard} channel names starting with {@code prefix} for each master, master first. */
	static Map<RedisServer, List<String>> channelsPerShard(String prefix, int perShard) {
		Map<RedisServer, List<String>> channels = new LinkedHashMap<>();
		for (int i = 0; channels.size() < 3 || channels.values().stream().anyMatch((c) -> c.size() < perShard); i++) {
			String channel = prefix + i;
			List<String> onShard = channels.computeIfAbsent(cluster.masterOf("gripway:" + channel),
					(m) -> new ArrayList<>());
			if (onShard.size() < perShard) {
				onShard.add(channel);
			}
		}
		return channels;
	}

	static CompletableFuture<HttpResponse<String>> poll(GripwayInstance replica, String channel) {
		return client.sendAsync(HttpRequest.newBuilder(URI.create(replica.proxyUrl() + "/lp?ch=" + channel))
			.timeout(Duration.ofSeconds(60))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	static String responseItem(String channel, String body) {
		return "{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{\"http-response\":{\"body\":\"" + body
				+ "\"}}}]}";
	}

	/** Shard channels of this test on {@code node}, as {@code PUBSUB SHARDCHANNELS} there lists them. */
	static List<String> shardChannels(RedisServer node) {
		return cluster.admin(node.port()).pubsubShardChannels("gripway:*");
	}

	@Test
	@Order(1)
	void channelsOnEveryShardGoOnlyThroughTheirShardFromOneReplicaToTheOther() throws Exception {
		Map<RedisServer, List<String>> perShard = channelsPerShard("spread-", 2);
		List<StreamClient> streams = new ArrayList<>();
		Map<String, CompletableFuture<HttpResponse<String>>> polls = new LinkedHashMap<>();
		try {
			for (List<String> channels : perShard.values()) {
				streams.add(StreamClient.open(a.proxyUrl() + "/stream?ch=" + channels.get(0)).awaitHeaders(WAIT));
				polls.put(channels.get(1), poll(a, channels.get(1)));
			}
			// each channel subscribed on its own shard's master only, and nothing on global pub/sub anywhere
			Await.until(WAIT, () -> perShard.entrySet()
				.stream()
				.allMatch((shard) -> shardChannels(shard.getKey()).size() == 2),
					() -> "every channel subscribed on its shard: " + perShard);
			for (Map.Entry<RedisServer, List<String>> shard : perShard.entrySet()) {
				assertThat(shardChannels(shard.getKey())).containsExactlyInAnyOrderElementsOf(
						shard.getValue().stream().map((channel) -> "gripway:" + channel).toList());
			}
			for (RedisServer node : cluster.nodes()) {
				assertThat(cluster.admin(node.port()).pubsubChannels()).isEmpty();
				assertThat(cluster.admin(node.port()).info("commandstats")).doesNotContain("cmdstat_subscribe:")
					.doesNotContain("cmdstat_publish:");
			}

			int n = 0;
			for (List<String> channels : perShard.values()) {
				String stream = channels.get(0);
				b.publishOk(streamPublish(stream, origin.append(stream)));
				b.publishOk(streamPublish(stream, origin.append(stream)));
				b.publishOk(responseItem(channels.get(1), "shard " + n++));
			}
			for (int i = 0; i < streams.size(); i++) {
				streams.get(i).awaitReceived("open\n" + itemsUpTo(2), WAIT);
				assertThat(streams.get(i).received()).isEqualTo("open\n" + itemsUpTo(2));
			}
			n = 0;
			for (CompletableFuture<HttpResponse<String>> held : polls.values()) {
				assertThat(held.get(10, TimeUnit.SECONDS).body()).isEqualTo("shard " + n++);
			}
			for (RedisServer master : perShard.keySet()) {
				assertThat(cluster.admin(master.port()).info("commandstats")).contains("cmdstat_spublish:")
					.contains("cmdstat_ssubscribe:");
			}
		}
		finally {
			streams.forEach(StreamClient::close);
		}
	}

	@Test
	@Order(2)
	void historyKeptOnTheChannelsShardIsReplayedByTheOtherReplica() {
		// channels on several shards: each history stream must live on its channel's shard for the script to run
		for (String channel : List.of("kept-a", "kept-b", "kept-c", "kept-d")) {
			for (int n = 0; n < 3; n++) {
				a.publishOk(streamPublish(channel, origin.append(channel)));
			}
			try (StreamClient stream = StreamClient.open(b.proxyUrl() + "/stream?ch=" + channel + "&after=1")) {
				stream.awaitReceived("item 3\n", WAIT);
				assertThat(stream.received()).isEqualTo("open\nitem 2\nitem 3\n");
			}
			assertThat(origin.gripLast()).noneMatch(value -> value.startsWith(channel + ";"));
		}
	}

	@Test
	@Order(3)
	void killedShardMasterIsReplacedAndPublishesResumeWhileStreamsRecoverWhatTheyMissed() {
		Map<RedisServer, List<String>> perShard = channelsPerShard("failover-", 1);
		RedisServer victim = perShard.keySet().iterator().next();
		String channel = perShard.get(victim).get(0);
		String elsewhere = new ArrayList<>(perShard.values()).get(1).get(0);
		try (StreamClient stream = StreamClient.open(a.proxyUrl() + "/stream?ch=" + channel).awaitHeaders(WAIT);
				StreamClient other = StreamClient.open(a.proxyUrl() + "/stream?ch=" + elsewhere).awaitHeaders(WAIT)) {
			Await.until(WAIT, () -> shardChannels(victim).contains("gripway:" + channel), () -> "subscribed");
			b.publishOk(streamPublish(channel, origin.append(channel)));
			stream.awaitReceived("open\n" + itemsUpTo(1), WAIT);

			long killedAt = System.nanoTime();
			victim.kill();

			// during the failover: the shard has no master, its publishes are refused rather than lost unseen
			String missed = origin.append(channel);
			assertThat(b.publish(streamPublish(channel, missed)).statusCode()).isEqualTo(503);
			// another shard carries on
			b.publishOk(streamPublish(elsewhere, origin.append(elsewhere)));
			other.awaitReceived("open\n" + itemsUpTo(1), WAIT);

			RedisServer promoted = awaitNewMaster(channel, victim);
			String after = origin.append(channel);
			Await.until(WAIT, () -> b.publish(streamPublish(channel, after)).statusCode() == 200,
					() -> "a publish accepted after the failover");
			long acceptedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

			// item 2 was never delivered: the gap made the stream fetch it from the origin's next link
			stream.awaitReceived("open\n" + itemsUpTo(3), WAIT);
			assertThat(stream.received()).isEqualTo("open\n" + itemsUpTo(3));
			Await.until(WAIT, () -> shardChannels(promoted).contains("gripway:" + channel),
					() -> "the channel subscribed on the new master");
			// and the other replica's held connections get it too
			CompletableFuture<HttpResponse<String>> held = poll(b, channel);
			Await.until(WAIT, () -> b.registry().subscriberCount(channel) == 1, () -> "held on b");
			// both replicas' subscriptions on the new master: a's stream and b's long-poll
			Await.until(WAIT, () -> cluster.admin(promoted.port())
				.pubsubShardNumsub("gripway:" + channel)
				.getOrDefault("gripway:" + channel, 0L) == 2, () -> "a and b subscribed on the new master");
			a.publishOk(responseItem(channel, "after failover"));
			assertThat(held.join().body()).isEqualTo("after failover");
			System.out.println("Cluster failover: publishes accepted again " + acceptedMillis + " ms after the kill");
		}
	}

	static RedisServer awaitNewMaster(String channel, RedisServer victim) {
		RedisServer[] master = new RedisServer[1];
		Await.until(WAIT, () -> {
			try {
				master[0] = cluster.masterOf("gripway:" + channel);
				return master[0] != victim && cluster.healthy();
			}
			catch (RuntimeException ex) {
				return false;
			}
		}, () -> "a new master: " + cluster.describe());
		return master[0];
	}

}
