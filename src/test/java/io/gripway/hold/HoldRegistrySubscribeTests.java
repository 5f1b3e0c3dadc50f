package io.gripway.hold;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.Action;
import io.gripway.publish.PublishItem;
import io.gripway.publish.WsMessageFormat;
import io.gripway.publish.WsMessageType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Holds whose channels change while held (WebSockets): subscribe, unsubscribe, limits and the one cleanup. */
class HoldRegistrySubscribeTests {

	final RecordingBus bus = new RecordingBus();

	final HoldRegistry registry = new HoldRegistry(this.bus, new HoldLimits(10, 3, Duration.ZERO, 10));

	final List<String> delivered = new ArrayList<>();

	final WebSocketHold hold = new WebSocketHold(10, () -> this.delivered.add("refresh"));

	{
		this.hold.frames().subscribe(frame -> this.delivered.add(frame.content().toUtf8()));
	}

	static ChannelSubscription channel(String name, String... filters) {
		return new ChannelSubscription(name, null, List.of(filters));
	}

	static PublishItem item(String channel, String text, Map<String, String> meta) {
		return new PublishItem(channel, null, null, meta, null, null,
				new WsMessageFormat(Action.SEND, WsMessageType.TEXT, Content.utf8(text), null, null, null), false);
	}

	@Test
	void subscribeAddsAChannelAndTellsTheBusOnce() {
		assertThat(this.registry.register(this.hold)).isTrue();
		assertThat(this.registry.subscribe(this.hold, channel("a"))).isTrue();
		assertThat(this.registry.subscribe(this.hold, channel("a", "skip-self"))).isTrue();
		assertThat(this.hold.channelNames()).containsExactly("a");
		assertThat(this.registry.subscriberCount("a")).isEqualTo(1);
		assertThat(this.bus.calls).containsExactly("+a");
		this.registry.receive(item("a", "one", Map.of()), 0);
		assertThat(this.delivered).containsExactly("one");
	}

	@Test
	void resubscribingReplacesTheFilters() {
		this.registry.register(this.hold);
		this.registry.subscribe(this.hold, channel("a"));
		this.hold.setMeta("user", "bob");
		this.registry.subscribe(this.hold, channel("a", "skip-self"));
		this.registry.receive(item("a", "own", Map.of("sender", "bob")), 0);
		this.registry.receive(item("a", "other", Map.of("sender", "carol")), 0);
		assertThat(this.delivered).containsExactly("other");
		this.hold.setMeta("user", null);
		this.registry.receive(item("a", "anyone", Map.of("sender", "bob")), 0);
		assertThat(this.delivered).containsExactly("other", "anyone");
	}

	@Test
	void subscriptionsBeyondTheLimitAreRefused() {
		this.registry.register(this.hold);
		for (String name : List.of("a", "b", "c")) {
			assertThat(this.registry.subscribe(this.hold, channel(name))).isTrue();
		}
		assertThat(this.registry.subscribe(this.hold, channel("d"))).isFalse();
		assertThat(this.registry.subscriberCount("d")).isZero();
		// an existing channel can still be re-subscribed with other filters
		assertThat(this.registry.subscribe(this.hold, channel("c", "skip-self"))).isTrue();
	}

	@Test
	void unsubscribeStopsDeliveryAndReleasesTheChannel() {
		this.registry.register(this.hold);
		this.registry.subscribe(this.hold, channel("a"));
		this.registry.unsubscribe(this.hold, "a");
		this.registry.unsubscribe(this.hold, "never");
		this.registry.receive(item("a", "late", Map.of()), 0);
		assertThat(this.delivered).isEmpty();
		assertThat(this.registry.channelCount()).isZero();
		assertThat(this.bus.calls).containsExactly("+a", "-a");
	}

	@Test
	void unregisterFreesEveryChannelAndLaterSubscribesAreRefused() {
		this.registry.register(this.hold);
		this.registry.subscribe(this.hold, channel("a"));
		this.registry.subscribe(this.hold, channel("b"));
		this.registry.unregister(this.hold);
		assertThat(this.registry.channelCount()).isZero();
		assertThat(this.registry.heldCount(Transport.WEBSOCKET)).isZero();
		assertThat(this.registry.subscribe(this.hold, channel("c"))).isFalse();
		assertThat(this.registry.channelCount()).isZero();
		assertThat(this.bus.calls).containsExactlyInAnyOrder("+a", "+b", "-a", "-b");
	}

	@Test
	void refreshPublishRunsTheHoldsRefresh() {
		this.registry.register(this.hold);
		this.registry.subscribe(this.hold, channel("a"));
		this.registry.receive(new PublishItem("a", null, null, Map.of(), null, null,
				new WsMessageFormat(Action.REFRESH, WsMessageType.TEXT, Content.EMPTY, null, null, null), false), 0);
		assertThat(this.delivered).containsExactly("refresh");
	}

	@Test
	void aFullQueueFailsTheFramesAsASlowClient() {
		// Reactor's bounded queues hold at least 8
		WebSocketHold slow = new WebSocketHold(8, () -> {
		});
		List<Throwable> errors = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			slow.offer(new WsMessageFormat(Action.SEND, WsMessageType.TEXT, Content.utf8("m" + i), null, null, null));
		}
		slow.frames().subscribe(frame -> {
		}, errors::add);
		assertThat(errors).singleElement().isInstanceOf(SlowConsumerException.class);
	}

}
