package io.gripway.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.RedisServer;
import io.gripway.test.ReliableOrigin;
import io.gripway.test.StreamClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.gripway.test.ReliableOrigin.itemsUpTo;
import static io.gripway.test.ReliableOrigin.streamPublish;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling restart loses nothing: streams on a replica that drains reconnect to the other one with the last id they
 * got (as an {@code EventSource} sends {@code Last-Event-ID}), while a publisher keeps publishing; every client ends
 * with every item, in order, once, and the gap of the reconnect is filled from history in Redis, not by the origin.
 */
class RollingRestartIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(20);

	static final int CLIENTS = 10;

	static final Pattern ITEM = Pattern.compile("item (\\d+)\n");

	static RedisServer redis;

	static ReliableOrigin origin;

	@BeforeAll
	static void start() {
		redis = RedisServer.started();
		origin = new ReliableOrigin();
	}

	@AfterAll
	static void stop() {
		origin.close();
		redis.close();
	}

	static GripwayInstance replica(int historySize) {
		return GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.bus.type=redis",
				"gripway.bus.redis.url=" + redis.url(), "gripway.bus.redis.channel-prefix=roll:",
				"gripway.history.channels=roll-*", "gripway.history.size=" + historySize, "gripway.drain.window=1s",
				"gripway.drain.flush-timeout=1s");
	}

	/** One client's view: what it received over its successive connections, and the last id it saw. */
	static final class Client {

		final String channel;

		final List<StreamClient> connections = new ArrayList<>();

		int lastId;

		Client(String channel) {
			this.channel = channel;
		}

		StreamClient current() {
			return this.connections.get(this.connections.size() - 1);
		}

		void connect(GripwayInstance replica) {
			this.lastId = lastIdSeen();
			this.connections
				.add(StreamClient.open(replica.proxyUrl() + "/stream?ch=" + this.channel + "&after=" + this.lastId));
		}

		int lastIdSeen() {
			int last = this.lastId;
			for (StreamClient connection : this.connections) {
				Matcher matcher = ITEM.matcher(connection.received());
				while (matcher.find()) {
					last = Math.max(last, Integer.parseInt(matcher.group(1)));
				}
			}
			return last;
		}

		String items() {
			StringBuilder all = new StringBuilder();
			for (StreamClient connection : this.connections) {
				Matcher matcher = ITEM.matcher(connection.received());
				while (matcher.find()) {
					all.append(matcher.group());
				}
			}
			return all.toString();
		}

		void close() {
			this.connections.forEach(StreamClient::close);
		}

	}

	@Test
	void streamsOfADrainedReplicaReconnectToAnotherAndMissNothing() throws Exception {
		restartLosesNothingAndCostsTheOriginNothing("roll-1", 60, Duration.ofMillis(25), 100);
	}

	/**
	 * The same restart under a publish every 3 ms: clients come back hundreds of items behind, more than a stream's
	 * queue holds (100), and a replica takes up the channel while items keep coming.
	 */
	@Test
	void aRestartUnderFastPublishingWithCatchUpsLongerThanTheClientQueue() throws Exception {
		restartLosesNothingAndCostsTheOriginNothing("roll-2", 400, Duration.ofMillis(3), 1000);
	}

	private void restartLosesNothingAndCostsTheOriginNothing(String channel, int items, Duration period,
			int historySize) throws Exception {
		GripwayInstance a = replica(historySize);
		GripwayInstance b = replica(historySize);
		List<Client> clients = new ArrayList<>();
		ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
		AtomicInteger published = new AtomicInteger();
		try {
			for (int n = 0; n < CLIENTS; n++) {
				Client client = new Client(channel);
				client.connect(a);
				clients.add(client);
			}
			a.awaitSubscribers(channel, CLIENTS);
			// a steady publisher through the replica that stays, bounded in count
			publisher.scheduleAtFixedRate(() -> {
				if (published.get() < items) {
					b.publishOk(streamPublish(channel, origin.append(channel)));
					published.incrementAndGet();
				}
			}, 0, period.toMillis(), TimeUnit.MILLISECONDS);
			Await.until("a third of the items published", WAIT, () -> published.get() >= items / 3);
			long originAskedBefore = origin.gripLast().size();
			// the restart: A drains (its streams end cleanly) and every client goes to B with its last id
			a.close();
			for (Client client : clients) {
				client.current().awaitEnd(WAIT);
				client.connect(b);
			}
			Await.until("every item published", WAIT, () -> published.get() >= items);
			for (Client client : clients) {
				Await.until(WAIT, () -> client.lastIdSeen() >= items,
						() -> "client at item " + client.lastIdSeen() + " of " + items);
				// every item, in order, once
				assertThat(client.items()).isEqualTo(itemsUpTo(items));
			}
			assertThat(origin.gripLast().size()).as("origin requests caused by the restart")
				.isEqualTo(originAskedBefore);
		}
		finally {
			publisher.shutdownNow();
			clients.forEach(Client::close);
			b.close();
		}
	}

}
