package io.gripway.bus;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-memory bus of a single node: its bounded delivery queue refuses work with {@link BusUnavailableException}
 * (the publish API's 503), a receiver that throws costs only its own item, and a closed bus delivers what it had
 * queued and refuses the rest.
 */
class LocalMessageBusTests {

	static final Duration WAIT = Duration.ofSeconds(5);

	final List<String> delivered = new CopyOnWriteArrayList<>();

	final CountDownLatch release = new CountDownLatch(1);

	final CountDownLatch blocking = new CountDownLatch(1);

	LocalMessageBus bus;

	@AfterEach
	void close() {
		this.release.countDown();
		if (this.bus != null) {
			this.bus.close();
		}
	}

	@Test
	void publishBeforeStartIsRefused() {
		this.bus = new LocalMessageBus(4);
		StepVerifier.create(this.bus.publish(List.of(item("c", "x")))).expectError(BusUnavailableException.class).verify(WAIT);
	}

	@Test
	void fullDeliveryQueueRefusesThePublishWithBusUnavailable() throws Exception {
		this.bus = new LocalMessageBus(1);
		this.bus.start(blockingOn("block", this.delivered));
		// the first batch occupies the delivery thread, the second fills the one-slot queue
		Mono<Void> first = this.bus.publish(List.of(item("c", "block"))).cache();
		first.subscribe();
		assertThat(this.blocking.await(5, TimeUnit.SECONDS)).isTrue();
		Mono<Void> second = this.bus.publish(List.of(item("c", "queued"))).cache();
		second.subscribe();
		assertThat(this.bus.pendingDeliveries()).isEqualTo(1);
		StepVerifier.create(this.bus.publish(List.of(item("c", "refused"))))
			.expectError(BusUnavailableException.class)
			.verify(WAIT);
		// refused, not queued for later: once the thread is free only the accepted batches arrive
		this.release.countDown();
		StepVerifier.create(first.then(second)).verifyComplete();
		assertThat(this.delivered).containsExactly("block", "queued");
		assertThat(this.bus.isAvailable()).isTrue();
	}

	@Test
	void publishCompletesOnlyOnceItsItemsAreHandedToTheReceiver() throws Exception {
		this.bus = new LocalMessageBus(4);
		this.bus.start(blockingOn("block", this.delivered));
		Mono<Void> publish = this.bus.publish(List.of(item("c", "block"))).cache();
		publish.subscribe();
		assertThat(this.blocking.await(5, TimeUnit.SECONDS)).isTrue();
		StepVerifier.create(publish).expectSubscription().expectNoEvent(Duration.ofMillis(200)).thenCancel().verify(WAIT);
		this.release.countDown();
		StepVerifier.create(publish).verifyComplete();
	}

	@Test
	void receiverThatThrowsCostsOnlyItsOwnItem() {
		this.bus = new LocalMessageBus(4);
		this.bus.start((item, publishedAt) -> {
			String text = text(item);
			if (text.equals("boom")) {
				throw new IllegalStateException("receiver failed on purpose");
			}
			this.delivered.add(text);
		});
		// the publish itself was accepted: its publisher is answered, not left waiting
		StepVerifier.create(this.bus.publish(List.of(item("c", "before"), item("c", "boom"), item("c", "after"))))
			.verifyComplete();
		StepVerifier.create(this.bus.publish(List.of(item("c", "next")))).verifyComplete();
		// as the Redis bus's delivery loop: one failing delivery does not stop the ones after it
		assertThat(this.delivered).containsExactly("before", "after", "next");
		assertThat(this.bus.isAvailable()).isTrue();
		assertThat(this.bus.receivedCount()).isEqualTo(4);
	}

	@Test
	void closeDeliversWhatWasQueuedThenRefusesPublishesAndReportsUnavailable() throws Exception {
		this.bus = new LocalMessageBus(4);
		this.bus.start(blockingOn("block", this.delivered));
		Mono<Void> first = this.bus.publish(List.of(item("c", "block"))).cache();
		first.subscribe();
		assertThat(this.blocking.await(5, TimeUnit.SECONDS)).isTrue();
		Mono<Void> queued = this.bus.publish(List.of(item("c", "queued"))).cache();
		queued.subscribe();
		this.bus.close();
		assertThat(this.bus.isAvailable()).isFalse();
		StepVerifier.create(this.bus.publish(List.of(item("c", "late")))).expectError(BusUnavailableException.class).verify(WAIT);
		this.release.countDown();
		StepVerifier.create(first.then(queued)).verifyComplete();
		assertThat(this.delivered).containsExactly("block", "queued");
	}

	/** A receiver that records each item's text and blocks on the one whose text is {@code blockOn}. */
	BusReceiver blockingOn(String blockOn, List<String> into) {
		return (item, publishedAt) -> {
			String text = text(item);
			if (text.equals(blockOn)) {
				this.blocking.countDown();
				try {
					this.release.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			into.add(text);
		};
	}

	static PublishItem item(String channel, String text) {
		return new PublishItem(channel, null, null, Map.of(), null,
				new HttpStreamFormat(Action.SEND, Content.utf8(text), null), null, false);
	}

	static String text(PublishItem item) {
		return new String(item.httpStream().content().toByteArray(), StandardCharsets.UTF_8);
	}

}
