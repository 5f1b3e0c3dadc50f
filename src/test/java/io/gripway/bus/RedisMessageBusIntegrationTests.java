package io.gripway.bus;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import io.gripway.test.RedisServer;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link RedisMessageBus} against a real Redis (see {@link RedisServer}): two buses play two Gripway nodes.
 */
class RedisMessageBusIntegrationTests {

	/** Per test, so tests sharing a Redis (REDIS_URL) cannot see each other's channels. */
	private final String prefix = "gripway-test-" + Long.toHexString(System.nanoTime()) + ":";

	/** Long enough that a test acting within it is not outrun by a slow machine. */
	private static final Duration LINGER = Duration.ofSeconds(1);

	private static final Duration WAIT = Duration.ofSeconds(15);

	/** Polls often where the test reports how long something took. */
	private static final Duration POLL = Duration.ofMillis(5);

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private RedisServer server;

	/** Whether {@link #server} was started by this test (never REDIS_URL's), so it may be disrupted. */
	private boolean owned;

	private RedisClient adminClient;

	private RedisCommands<String, String> admin;

	@BeforeEach
	void startRedis(TestInfo test) {
		boolean disrupts = test.getTestMethod().map((method) -> method.isAnnotationPresent(DisruptsRedis.class)).orElse(false);
		this.server = disrupts ? RedisServer.ownedStarted() : RedisServer.started();
		this.owned = disrupts;
		this.closeables.add(this.server);
		this.adminClient = RedisClient.create(this.server.url());
		this.closeables.add(0, this.adminClient::shutdown);
		// Lettuce's defaults: reconnects and queues commands across a Redis restart, unlike the bus
		this.admin = this.adminClient.connect().sync();
	}

	@AfterEach
	void closeAll() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
	}

	@Test
	void publishReachesOnlySubscribedNodesInOrderExactlyOnce() {
		Node a = node();
		Node b = node();
		subscribeAndAwait(b.bus, "ch");

		publish(a, item("ch", "1"), item("ch", "2"), item("ch", "3"));
		publish(a, item("ch", "end")); // anything repeated would arrive before this one

		b.awaitIds("1", "2", "3", "end");
		assertThat(a.received).isEmpty();
		assertThat(b.received).extracting((received) -> received.publishedAtMillis).allMatch((millis) -> millis > 0);
	}

	@Test
	void everySubscribedNodeReceivesOnce() {
		Node a = node();
		Node b = node();
		subscribeAndAwait(a.bus, "ch");
		subscribeAndAwait(b.bus, "ch");

		publish(a, item("ch", "1"), item("ch", "2"));
		publish(b, item("ch", "end"));

		a.awaitIds("1", "2", "end");
		b.awaitIds("1", "2", "end");
	}

	@Test
	void burstIsDeliveredInPublishOrder() {
		Node a = node();
		subscribeAndAwait(a.bus, "ch");
		String[] ids = IntStream.range(0, 500).mapToObj(String::valueOf).toArray(String[]::new);

		publish(a, IntStream.range(0, ids.length).mapToObj((i) -> item("ch", ids[i])).toArray(PublishItem[]::new));

		a.awaitIds(ids);
	}

	@Test
	@DisruptsRedis
	void redisHasOnlyTheSubscribedChannelsAndFewSubscribeCommands() {
		Node a = node();
		disruptiveAdmin().configResetstat();
		for (int i = 0; i < 100; i++) {
			a.bus.subscribe("ch" + i);
		}
		a.bus.subscribe("ch0"); // already subscribed: no change

		String[] expected = IntStream.range(0, 100).mapToObj((i) -> this.prefix + "ch" + i).toArray(String[]::new);
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(admin().pubsubChannels(this.prefix + "*"))
				.containsExactlyInAnyOrder(expected));
		assertThat(a.bus.subscribedChannelCount()).isEqualTo(100);
		// batched: the 100 calls are collected into very few SUBSCRIBE commands, not one each
		assertThat(commandCalls("subscribe")).isBetween(1L, 20L);
	}

	@Test
	void unsubscribeWaitsForTheLinger() {
		Node a = node();
		subscribeAndAwait(a.bus, "ch");

		long unsubscribedAt = System.nanoTime();
		a.bus.unsubscribe("ch");

		awaitSubscribers("ch", 0);
		// a slow machine can only make this later; with no linger it would take a few milliseconds
		assertThat(millisSince(unsubscribedAt)).as("milliseconds until Redis dropped the subscription")
			.isGreaterThanOrEqualTo(LINGER.toMillis());
		assertThat(a.bus.subscribedChannelCount()).isZero();
		assertThat(admin().pubsubChannels(this.prefix + "*")).isEmpty();
	}

	@Test
	@DisruptsRedis
	void subscribingAgainWithinTheLingerCancelsTheUnsubscribe() {
		Node a = node();
		subscribeAndAwait(a.bus, "ch");
		disruptiveAdmin().configResetstat();

		a.bus.unsubscribe("ch");
		// a quarter of the linger, far longer than a batch takes to be sent: without the linger the UNSUBSCRIBE
		// would be out
		await().during(LINGER.dividedBy(4))
			.atMost(WAIT)
			.untilAsserted(() -> assertThat(subscribers("ch")).isEqualTo(1));
		a.bus.subscribe("ch");

		await().during(LINGER.multipliedBy(3))
			.atMost(WAIT)
			.untilAsserted(() -> assertThat(subscribers("ch")).isEqualTo(1));
		assertThat(commandCalls("unsubscribe")).isZero();
		assertThat(commandCalls("subscribe")).isZero();
	}

	@Test
	@DisruptsRedis
	void startsWhileRedisIsDownAndConnectsWhenItComesUp() {
		this.server.stop();
		Node a = node();
		a.bus.subscribe("ch");

		// a few connection attempts fail meanwhile (the bus retries every few tens of milliseconds at first)
		await().during(Duration.ofMillis(300))
			.atMost(WAIT)
			.untilAsserted(() -> assertThat(a.bus.isAvailable()).isFalse());
		StepVerifier.create(a.bus.publish(List.of(item("ch", "lost"))))
			.expectError(BusUnavailableException.class)
			.verify(WAIT);

		long startAt = System.nanoTime();
		this.server.start();
		await().atMost(WAIT).pollInterval(POLL).until(a.bus::isAvailable);
		System.out.printf("bus available %d ms after starting redis-server (its start-up included)%n",
				millisSince(startAt));
		awaitSubscribers("ch", 1);
		publish(a, item("ch", "1"));
		a.awaitIds("1");
		// it held a channel while Redis was out of reach: what it missed meanwhile is recovered
		await().atMost(WAIT).until(() -> a.bus.gapCount() > 0);
	}

	@Test
	void aFirstConnectionWithNothingHeldReportsNoGap() {
		Node a = node();
		await().atMost(WAIT).until(a.bus::isAvailable);
		// nothing was held before Redis was reached, so the first clients must not be sent to their origins
		await().during(AbstractRedisBus.GAP_DELAY.multipliedBy(3))
			.atMost(WAIT)
			.untilAsserted(() -> assertThat(a.bus.gapCount()).isZero());
	}

	@Test
	void aChannelIsLiveOnceRedisConfirmedItsSubscription() {
		Node a = node();
		await().atMost(WAIT).until(a.bus::isAvailable);
		a.bus.subscribe("ch");
		// ordered behind the subscribe, which is still being batched: live waits for Redis's confirmation
		a.bus.live("ch").block(WAIT);
		assertThat(subscribers("ch")).isEqualTo(1);
		// and a channel already live is live at once
		StepVerifier.create(a.bus.live("ch")).expectComplete().verify(WAIT);
	}

	@Test
	@DisruptsRedis
	void redisRestartRestoresSubscriptionsAndRejectsPublishesDuringTheOutage() {
		Node a = node();
		Node b = node();
		subscribeAndAwait(b.bus, "ch");
		publish(a, item("ch", "before"));
		b.awaitIds("before");

		this.server.stop();
		await().atMost(WAIT).until(() -> !a.bus.isAvailable() && !b.bus.isAvailable());
		StepVerifier.create(a.bus.publish(List.of(item("ch", "during"))))
			.expectError(BusUnavailableException.class)
			.verify(WAIT);
		b.bus.subscribe("ch2"); // interest that changes during the outage is sent on reconnect

		long restartAt = System.nanoTime();
		this.server.start();
		await().atMost(WAIT).pollInterval(POLL).until(() -> a.bus.isAvailable() && b.bus.isAvailable());
		long availableMillis = millisSince(restartAt);
		// "ch" was confirmed before the outage and is not pending: Lettuce renews it on its own
		awaitSubscribers("ch", 1);
		awaitSubscribers("ch2", 1);
		System.out.printf(
				"both buses available %d ms and subscriptions restored %d ms after starting redis-server again%n",
				availableMillis, millisSince(restartAt));

		publish(a, item("ch", "after"), item("ch2", "after2"));
		b.awaitIds("before", "after", "after2");
		assertThat(a.bus.reconnectCount()).isPositive();
		assertThat(b.bus.reconnectCount()).isPositive();
	}

	@Test
	@DisruptsRedis
	void publishInFlightWhenTheConnectionBreaksFailsAndIsNotReplayed() {
		Node a = node();
		Node b = node();
		subscribeAndAwait(b.bus, "ch");
		// holds A's PUBLISH in Redis, unanswered; CLIENT commands still run
		clientCommand("PAUSE", "10000", "WRITE");

		CompletableFuture<Void> inFlight = a.bus.publish(List.of(item("ch", "in-flight"))).toFuture();
		// the PUBLISH has reached Redis once Redis holds a client back for the pause
		await().atMost(WAIT).pollInterval(POLL).until(() -> pausedClients() > 0);
		disruptiveAdmin().clientKill(KillArgs.Builder.typeNormal().skipme());
		clientCommand("UNPAUSE");

		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> inFlight.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
			.withCauseInstanceOf(BusUnavailableException.class);
		await().atMost(WAIT).until(a.bus::isAvailable);
		publish(a, item("ch", "next"));
		b.awaitIds("next"); // "in-flight" was not replayed after reconnecting
	}

	@Test
	@DisruptsRedis
	void interestEndedDuringTheOutageIsNotRestored() {
		Node b = node();
		b.bus.subscribe("ch");
		subscribeAndAwait(b.bus, "gone");

		this.server.stop();
		await().atMost(WAIT).until(() -> !b.bus.isAvailable());
		b.bus.unsubscribe("gone");
		await().atMost(WAIT).until(() -> b.bus.subscribedChannelCount() == 1); // linger expired while down
		this.server.start();

		awaitSubscribers("ch", 1);
		awaitSubscribers("gone", 0);
	}

	@Test
	@DisruptsRedis
	void subscriberDisconnectedByRedisIsReconnectedAndResubscribed() {
		Node a = node();
		Node b = node();
		subscribeAndAwait(b.bus, "ch");

		// what Redis does to a pub/sub client that reads too slowly (client-output-buffer-limit pubsub)
		disruptiveAdmin().clientKill(KillArgs.Builder.typePubsub());
		awaitSubscribers("ch", 0);
		awaitSubscribers("ch", 1);
		// A's own pub/sub connection was killed too, and a bus publishes only with both of its connections up
		await().atMost(WAIT).until(a.bus::isAvailable);
		publish(a, item("ch", "after"));

		b.awaitIds("after");
		assertThat(b.bus.reconnectCount()).isEqualTo(1);
	}

	@Test
	void malformedMessageIsCountedAndSkipped() {
		Node b = node();
		subscribeAndAwait(b.bus, "ch");
		try (StatefulRedisConnection<String, byte[]> raw = this.adminClient
			.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
			raw.sync().publish(this.prefix + "ch", "garbage".getBytes(StandardCharsets.UTF_8));
			byte[] newerVersion = BusCodec.encode(item("ch", "v2"), 1);
			newerVersion[0] = 2;
			raw.sync().publish(this.prefix + "ch", newerVersion);
			raw.sync().publish(this.prefix + "ch", BusCodec.encode(item("ch", "good"), 1));
		}

		b.awaitIds("good");
		assertThat(b.bus.malformedCount()).isEqualTo(2);
		assertThat(b.bus.receivedCount()).isEqualTo(3);
	}

	@Test
	void fullDeliveryQueueDropsAndCounts() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		List<String> delivered = new CopyOnWriteArrayList<>();
		RedisMessageBus bus = startedBus(1, (item, publishedAtMillis) -> {
			awaitLatch(release);
			delivered.add(item.id());
		});
		subscribeAndAwait(bus, "ch");

		bus.publish(List.of(item("ch", "1"), item("ch", "2"), item("ch", "3"), item("ch", "4"), item("ch", "5")))
			.block(WAIT);
		await().atMost(WAIT).until(() -> bus.receivedCount() == 5);
		release.countDown();

		await().atMost(WAIT).until(() -> delivered.size() + bus.droppedCount() == 5);
		assertThat(bus.droppedCount()).isGreaterThanOrEqualTo(3);
		assertThat(delivered).isSorted();
	}

	@Test
	void failingReceiverDoesNotStopDelivery() {
		List<String> delivered = new CopyOnWriteArrayList<>();
		RedisMessageBus bus = startedBus(100, (item, publishedAtMillis) -> {
			if ("boom".equals(item.id())) {
				throw new IllegalStateException("receiver failed");
			}
			delivered.add(item.id());
		});
		subscribeAndAwait(bus, "ch");

		bus.publish(List.of(item("ch", "boom"), item("ch", "ok"))).block(WAIT);

		await().atMost(WAIT).until(() -> delivered.equals(List.of("ok")));
	}

	@Test
	void closeReleasesTheConnectionsAndRejectsPublishes() {
		Node a = node();
		subscribeAndAwait(a.bus, "ch");

		a.bus.close();

		assertThat(a.bus.isAvailable()).isFalse();
		awaitSubscribers("ch", 0);
		StepVerifier.create(a.bus.publish(List.of(item("ch", "1"))))
			.expectError(BusUnavailableException.class)
			.verify(WAIT);
	}

	private Node node() {
		Node node = new Node();
		node.bus = startedBus(1000, node::receive);
		return node;
	}

	/** A started bus, connected if Redis is up. */
	private RedisMessageBus startedBus(int queueCapacity, BusReceiver receiver) {
		RedisMessageBus bus = new RedisMessageBus(new RedisBusSettings(this.server.url(), this.prefix, LINGER,
				Duration.ofSeconds(1), queueCapacity, Duration.ofSeconds(10)));
		this.closeables.add(0, bus);
		bus.start(receiver);
		if (this.server.ping()) {
			await().atMost(WAIT).until(bus::isAvailable);
		}
		return bus;
	}

	private static void publish(Node node, PublishItem... items) {
		node.bus.publish(List.of(items)).block(WAIT);
	}

	private static PublishItem item(String channel, String id) {
		return new PublishItem(channel, id, null, Map.of(), null,
				new HttpStreamFormat(Action.SEND, Content.utf8("message " + id + "\n"), null), null, false);
	}

	private RedisCommands<String, String> admin() {
		return this.admin;
	}

	/** {@link #admin()} for commands that disturb every client of the server: only on a server this test started. */
	private RedisCommands<String, String> disruptiveAdmin() {
		if (!this.owned) {
			throw new IllegalStateException("CLIENT KILL, CLIENT PAUSE and CONFIG RESETSTAT disturb every client of "
					+ "the server: annotate the test @DisruptsRedis, so it gets a Redis of its own");
		}
		return this.admin;
	}

	/** Clients Redis holds back for {@code CLIENT PAUSE}, from INFO clients. */
	private long pausedClients() {
		return admin().info("clients")
			.lines()
			.filter((line) -> line.startsWith("blocked_clients:"))
			.mapToLong((line) -> Long.parseLong(line.substring("blocked_clients:".length()).trim()))
			.sum();
	}

	private long subscribers(String channel) {
		return admin().pubsubNumsub(this.prefix + channel).get(this.prefix + channel);
	}

	/** Subscribes and waits until Redis has the subscription. */
	private void subscribeAndAwait(RedisMessageBus bus, String channel) {
		long before = subscribers(channel);
		bus.subscribe(channel);
		awaitSubscribers(channel, before + 1);
	}

	private void awaitSubscribers(String channel, long count) {
		await().atMost(WAIT).pollInterval(POLL).untilAsserted(() -> assertThat(subscribers(channel)).isEqualTo(count));
	}

	/** {@code CLIENT} subcommands Lettuce has no method for. */
	private void clientCommand(String... args) {
		disruptiveAdmin().dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
				new CommandArgs<>(StringCodec.UTF8).addKeys(args));
	}

	/** Calls of a command since the last CONFIG RESETSTAT, from INFO commandstats. */
	private long commandCalls(String command) {
		String stats = admin().info("commandstats");
		String prefix = "cmdstat_" + command + ":calls=";
		return stats.lines()
			.filter((line) -> line.startsWith(prefix))
			.mapToLong((line) -> Long.parseLong(line.substring(prefix.length(), line.indexOf(','))))
			.sum();
	}

	private static long millisSince(long nanoTime) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The test stops its Redis or runs {@code CLIENT KILL}, {@code CLIENT PAUSE} or {@code CONFIG RESETSTAT}: it gets
	 * a Redis it started itself ({@link RedisServer#owned()}), never the one {@code REDIS_URL} names.
	 */
	@Retention(RetentionPolicy.RUNTIME)
	@Target(ElementType.METHOD)
	private @interface DisruptsRedis {

	}

	private record Received(PublishItem item, long publishedAtMillis) {
	}

	/** One Gripway node: a bus and what its receiver got. */
	private static final class Node {

		RedisMessageBus bus;

		final List<Received> received = new CopyOnWriteArrayList<>();

		void receive(PublishItem item, long publishedAtMillis) {
			this.received.add(new Received(item, publishedAtMillis));
		}

		List<String> ids() {
			return this.received.stream().map((received) -> received.item().id()).toList();
		}

		/** Waits until exactly these ids arrived, in this order. */
		void awaitIds(String... ids) {
			await().atMost(WAIT).until(() -> this.received.size() >= ids.length);
			assertThat(ids()).containsExactly(ids);
		}

	}

}
