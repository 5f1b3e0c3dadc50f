package io.gripway.hold;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HoldRegistryTests {

	final RecordingBus bus = new RecordingBus();

	final HoldRegistry registry = new HoldRegistry(this.bus, new HoldLimits(2, 20, Duration.ofSeconds(60), 100));

	static PublishItem item(String channel, String id, Map<String, String> meta) {
		return new PublishItem(channel, id, null, meta, null,
				new HttpStreamFormat(Action.SEND, Content.utf8("x"), null), null, false);
	}

	@Test
	void busLearnsOfFirstSubscriberAndLastUnsubscriberOnly() {
		RecordingHold one = new RecordingHold(List.of(sub("a"), sub("b")));
		RecordingHold two = new RecordingHold(List.of(sub("a")));
		this.registry.register(one);
		this.registry.register(two);
		assertThat(this.bus.calls).containsExactly("+a", "+b");
		this.registry.unregister(one);
		assertThat(this.bus.calls).containsExactly("+a", "+b", "-b");
		this.registry.unregister(two);
		assertThat(this.bus.calls).containsExactly("+a", "+b", "-b", "-a");
		assertThat(this.registry.channelCount()).isZero();
		assertThat(this.registry.heldCount()).isZero();
	}

	@Test
	void refusesHoldsBeyondTheNodeLimit() {
		assertThat(this.registry.register(new RecordingHold(List.of(sub("a"))))).isTrue();
		assertThat(this.registry.register(new RecordingHold(List.of(sub("a"))))).isTrue();
		assertThat(this.registry.register(new RecordingHold(List.of(sub("a"))))).isFalse();
		assertThat(this.registry.heldCount()).isEqualTo(2);
	}

	@Test
	void deliversToEverySubscriberOfTheChannelAndNoOther() {
		RecordingHold onA = new RecordingHold(List.of(sub("a")));
		RecordingHold onB = new RecordingHold(List.of(sub("b")));
		this.registry.register(onA);
		this.registry.register(onB);
		this.registry.receive(item("a", null, Map.of()), 0);
		assertThat(onA.received).hasSize(1);
		assertThat(onB.received).isEmpty();
	}

	@Test
	void appliesTheSubscriptionsFilters() {
		RecordingHold alice = new RecordingHold(
				List.of(new ChannelSubscription("room", null, List.of("skip-self"))), Map.of("user", "alice"));
		this.registry.register(alice);
		this.registry.receive(item("room", null, Map.of("sender", "alice")), 0);
		this.registry.receive(item("room", null, Map.of("sender", "bob")), 0);
		assertThat(alice.received).hasSize(1);
		assertThat(alice.received.get(0).meta()).containsEntry("sender", "bob");
	}

	@Test
	void dropsARepeatedIdEvenAcrossResubscription() {
		RecordingHold first = new RecordingHold(List.of(sub("a")));
		this.registry.register(first);
		this.registry.receive(item("a", "1", Map.of()), 0);
		this.registry.unregister(first);
		RecordingHold second = new RecordingHold(List.of(sub("a")));
		this.registry.register(second);
		this.registry.receive(item("a", "1", Map.of()), 0);
		this.registry.receive(item("a", "2", Map.of()), 0);
		assertThat(first.received).hasSize(1);
		assertThat(second.received).extracting(PublishItem::id).containsExactly("2");
	}

	@Test
	void oneFailingHoldDoesNotStopTheFanOut() {
		RecordingHold broken = new RecordingHold(List.of(sub("a"))) {
			@Override
			protected void deliver(PublishItem item, ChannelSubscription subscription, long publishedAtMillis) {
				throw new IllegalStateException("broken");
			}
		};
		RecordingHold healthy = new RecordingHold(List.of(sub("a")));
		this.registry.register(broken);
		this.registry.register(healthy);
		this.registry.receive(item("a", null, Map.of()), 0);
		assertThat(healthy.received).hasSize(1);
	}

	static ChannelSubscription sub(String name) {
		return new ChannelSubscription(name, null, List.of());
	}

	static class RecordingHold extends Hold {

		final List<PublishItem> received = new ArrayList<>();

		RecordingHold(List<ChannelSubscription> channels) {
			this(channels, Map.of());
		}

		RecordingHold(List<ChannelSubscription> channels, Map<String, String> meta) {
			super(channels, meta);
		}

		@Override
		public Transport kind() {
			return Transport.STREAM;
		}

		@Override
		protected void deliver(PublishItem item, ChannelSubscription subscription, long publishedAtMillis) {
			this.received.add(item);
		}

		@Override
		public void drain() {
		}

	}

}
