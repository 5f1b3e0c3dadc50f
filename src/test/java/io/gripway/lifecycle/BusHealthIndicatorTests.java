package io.gripway.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.gripway.bus.BusReceiver;
import io.gripway.bus.BusStats;
import io.gripway.bus.MessageBus;
import io.gripway.bus.MessageBuses;
import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/** The bus health shows the delivery thread: failures it survived, and DOWN once it is gone. */
class BusHealthIndicatorTests {

	@Test
	void deliveryFailuresAreReportedAndTheBusKeepsDelivering() throws Exception {
		MessageBus bus = MessageBuses.local(10);
		List<String> delivered = new CopyOnWriteArrayList<>();
		bus.start((item, at) -> {
			if (item.channel().equals("boom")) {
				throw new AssertionError("a bug in delivery");
			}
			delivered.add(item.channel());
		});
		try {
			bus.publish(List.of(item("boom"))).block(Duration.ofSeconds(5));
			bus.publish(List.of(item("after"))).block(Duration.ofSeconds(5));
			assertThat(delivered).containsExactly("after");
			Health health = new BusHealthIndicator(bus, "memory", true).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("deliveryStopped", false)
				.containsEntry("deliveryFailures", 1L);
		}
		finally {
			((AutoCloseable) bus).close();
		}
	}

	@Test
	void aStoppedDeliveryThreadIsDownEvenWhenTheBusDoesNotAffectReadiness() {
		Health health = new BusHealthIndicator(new DeafBus(), "memory", false).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("deliveryStopped", true);
	}

	private static PublishItem item(String channel) {
		return new PublishItem(channel, null, null, Map.of(), null,
				new HttpStreamFormat(Action.SEND, Content.utf8("x\n"), null), null, false);
	}

	/** Connected, but its delivery thread is gone. */
	private static final class DeafBus implements MessageBus, BusStats {

		@Override
		public void recover() {
		}

		@Override
		public Mono<Void> publish(List<PublishItem> items) {
			return Mono.empty();
		}

		@Override
		public void start(BusReceiver receiver) {
		}

		@Override
		public void subscribe(String channel) {
		}

		@Override
		public void unsubscribe(String channel) {
		}

		@Override
		public boolean isAvailable() {
			return true;
		}

		@Override
		public boolean isDeliveryStopped() {
			return true;
		}

	}

}
