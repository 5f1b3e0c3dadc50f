package io.gripway.bus;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.gripway.publish.PublishItem;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The one delivery thread of both buses: it outlives whatever its receiver throws, and says how it is doing. */
class DeliveryLoopTests {

	private final List<String> delivered = new CopyOnWriteArrayList<>();

	@Test
	void anErrorFromTheReceiverDoesNotStopTheDeliveriesAfterIt() {
		BusReceiver receiver = (item, publishedAtMillis) -> {
			if (item.channel().equals("boom")) {
				throw new StackOverflowError("deep template");
			}
			this.delivered.add(item.channel());
		};
		try (DeliveryLoop loop = new DeliveryLoop(receiver, 10, "test-delivery")) {
			loop.offer(new BusCodec.Message(item("boom"), 1));
			loop.offer(new BusCodec.Message(item("after"), 2));
			await().atMost(Duration.ofSeconds(5)).until(() -> this.delivered.contains("after"));
			assertThat(loop.failures()).isEqualTo(1);
			assertThat(loop.isRunning()).isTrue();
		}
	}

	@Test
	void aThreadThatDiesAnywayIsReplaced() throws InterruptedException {
		try (DeliveryLoop loop = new DeliveryLoop((item, at) -> this.delivered.add(item.channel()), 10,
				"test-delivery")) {
			// the hand-off callback runs outside the receiver's guard: an Error there ends the thread
			assertThat(loop.offer(List.of(item("first")), 1, () -> {
				throw new OutOfMemoryError("simulated");
			})).isTrue();
			CountDownLatch done = new CountDownLatch(1);
			assertThat(loop.offer(List.of(item("second")), 2, done::countDown)).isTrue();
			assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
			assertThat(this.delivered).containsExactly("first", "second");
			assertThat(loop.restarts()).isEqualTo(1);
			assertThat(loop.isRunning()).isTrue();
		}
	}

	@Test
	void aFullQueueDropsAndReportsAGapForRedisButRefusesALocalPublish() throws InterruptedException {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch busy = new CountDownLatch(1);
		List<@Nullable Set<String>> gaps = new CopyOnWriteArrayList<>();
		BusReceiver receiver = new BusReceiver() {

			@Override
			public void receive(PublishItem item, long publishedAtMillis) {
				busy.countDown();
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}

			@Override
			public void gap(@Nullable Set<String> channels) {
				gaps.add(channels);
			}

		};
		try (DeliveryLoop loop = new DeliveryLoop(receiver, 1, "test-delivery")) {
			loop.offer(new BusCodec.Message(item("a"), 1));
			assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
			loop.offer(new BusCodec.Message(item("b"), 2));
			loop.offer(new BusCodec.Message(item("c"), 3));
			assertThat(loop.dropped()).isEqualTo(1);
			assertThat(gaps).containsExactly(Set.of("c"));
			assertThat(loop.offer(List.of(item("d")), 4, () -> {
			})).isFalse();
			release.countDown();
		}
	}

	@Test
	void closedLoopIsNotRunning() {
		DeliveryLoop loop = new DeliveryLoop((item, at) -> {
		}, 1, "test-delivery");
		loop.close();
		assertThat(loop.isRunning()).isFalse();
		assertThat(loop.offer(List.of(item("late")), 1, () -> {
		})).isFalse();
	}

	static PublishItem item(String channel) {
		return BusCodecTests.streamOnly(channel, "x\n");
	}

}
