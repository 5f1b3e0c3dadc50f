package io.gripway.hold;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.gripway.bus.MessageBuses;
import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.Action;
import io.gripway.publish.HttpResponseFormat;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** What the registry and the holds report to their {@link HoldListener}, and how each hold drains. */
class HoldListenerTests {

	static final Duration WAIT = Duration.ofSeconds(5);

	final List<String> events = new CopyOnWriteArrayList<>();

	final AtomicInteger evictions = new AtomicInteger();

	final HoldListener recorder = new HoldListener() {

		@Override
		public void started(Transport kind) {
			HoldListenerTests.this.events.add("started " + kind.tag());
		}

		@Override
		public void refused(Transport kind, String reason) {
			HoldListenerTests.this.events.add("refused " + kind.tag() + " " + reason);
		}

		@Override
		public void ended(Transport kind, HoldOutcome outcome) {
			HoldListenerTests.this.events.add("ended " + kind.tag() + " " + outcome.tag());
		}

		@Override
		public void delivered(Transport kind, long publishedAtMillis) {
			HoldListenerTests.this.events.add("delivered " + kind.tag());
		}

		@Override
		public void overflow(Transport kind) {
			HoldListenerTests.this.events.add("overflow " + kind.tag());
		}

		@Override
		public void dropped(Transport kind, DropReason reason) {
			HoldListenerTests.this.events.add("dropped " + kind.tag() + " " + reason.tag());
		}

	};

	final HoldRegistry registry = new HoldRegistry(MessageBuses.local(10), HoldLimits.DEFAULTS, this.recorder);

	static List<ChannelSubscription> channel(String name) {
		return List.of(new ChannelSubscription(name, null, List.of()));
	}

	static PublishItem response(String channel, String id, String body) {
		return new PublishItem(channel, id, null, Map.of(),
				new HttpResponseFormat(Action.SEND, 200, null, List.of(), Content.utf8(body), null), null, null, false);
	}

	static PublishItem stream(String channel, Action action, String content) {
		return new PublishItem(channel, null, null, Map.of(), null,
				new HttpStreamFormat(action, Content.utf8(content), null), null, false);
	}

	StreamHold streamHold(String channel, int queueCapacity) {
		StreamHold hold = new StreamHold(channel(channel), Map.of(), null, queueCapacity, Schedulers.parallel(),
				this.evictions::incrementAndGet);
		assertThat(this.registry.register(hold)).isTrue();
		return hold;
	}

	@Test
	void longPollReleasedByPublishIsDeliveredOnceAndEndsAsPublished() {
		ResponseHold hold = new ResponseHold(channel("lp"), Map.of());
		assertThat(this.registry.register(hold)).isTrue();
		this.registry.receive(response("lp", null, "first"), System.currentTimeMillis());
		this.registry.receive(response("lp", null, "second"), System.currentTimeMillis());
		StepVerifier.create(hold.released(WAIT).doFinally(signal -> this.registry.unregister(hold)))
			.assertNext(release -> assertThat(release.format().body()).isEqualTo(Content.utf8("first")))
			.expectComplete()
			.verify(WAIT);
		assertThat(this.events).containsExactly("started response", "dropped response superseded",
				"delivered response", "ended response published");
	}

	@Test
	void longPollTimeoutAndClientGoneAreTheirOwnOutcomes() {
		ResponseHold timedOut = new ResponseHold(channel("lp-t"), Map.of());
		this.registry.register(timedOut);
		// doOnTerminate, not doFinally, which may run after the verifier has seen the completion
		StepVerifier.create(timedOut.released(Duration.ofMillis(10)).doOnTerminate(() -> this.registry.unregister(timedOut)))
			.expectComplete()
			.verify(WAIT);
		ResponseHold gone = new ResponseHold(channel("lp-g"), Map.of());
		this.registry.register(gone);
		StepVerifier.create(gone.released(WAIT).doFinally(s -> this.registry.unregister(gone)))
			.thenCancel()
			.verify(WAIT);
		assertThat(this.events).contains("ended response timeout", "ended response client-gone");
	}

	@Test
	void drainedLongPollCompletesEmptySoItGetsItsTimeoutResponse() {
		ResponseHold hold = new ResponseHold(channel("lp-d"), Map.of());
		this.registry.register(hold);
		this.registry.startDraining();
		assertThat(this.registry.held()).containsExactly(hold);
		hold.drain();
		StepVerifier.create(hold.released(WAIT).doFinally(s -> this.registry.unregister(hold)))
			.expectComplete()
			.verify(WAIT);
		assertThat(this.registry.register(new ResponseHold(channel("lp-late"), Map.of()))).isFalse();
		assertThat(this.events).containsExactly("started response", "ended response drained",
				"refused response draining");
		assertThat(this.registry.heldCount()).isZero();
	}

	@Test
	void drainedStreamEndsAfterWhatIsQueued() {
		StreamHold hold = streamHold("s-d", 8);
		this.registry.receive(stream("s-d", Action.SEND, "queued"), System.currentTimeMillis());
		hold.drain();
		RecordingOutput output = new RecordingOutput(8);
		hold.attach(output);
		end(hold);
		assertThat(output.written).containsExactly("queued");
		assertThat(output.ended).isTrue();
		assertThat(this.events).containsExactly("started stream", "delivered stream", "ended stream drained");
	}

	@Test
	void closePublishEndsTheStreamAsClosed() {
		StreamHold hold = streamHold("s-c", 8);
		RecordingOutput output = new RecordingOutput(8);
		hold.attach(output);
		this.registry.receive(stream("s-c", Action.CLOSE, ""), System.currentTimeMillis());
		this.registry.receive(stream("s-c", Action.SEND, "too late"), System.currentTimeMillis());
		end(hold);
		assertThat(output.ended).isTrue();
		assertThat(output.written).isEmpty();
		assertThat(this.events).containsExactly("started stream", "dropped stream ended", "ended stream closed");
	}

	@Test
	void overflowingStreamIsEvictedAsASlowConsumerOnce() {
		StreamHold hold = streamHold("s-o", 2);
		// an output that takes two items and never writes them, as for a client whose socket does not drain
		RecordingOutput output = new RecordingOutput(2);
		hold.attach(output);
		for (int i = 0; i < 20; i++) {
			this.registry.receive(stream("s-o", Action.SEND, "m" + i), System.currentTimeMillis());
		}
		end(hold);
		assertThat(output.written).containsExactly("m0", "m1");
		assertThat(this.evictions).hasValue(1);
		assertThat(this.events).containsOnlyOnce("overflow stream", "ended stream evicted-slow");
		assertThat(this.events).contains("dropped stream queue-overflow", "dropped stream ended");
	}

	@Test
	void streamOverflowingBeforeItsResponseIsReadyIsEvictedToo() {
		StreamHold hold = streamHold("s-e", 2);
		for (int i = 0; i < 5; i++) {
			this.registry.receive(stream("s-e", Action.SEND, "m" + i), System.currentTimeMillis());
		}
		assertThat(this.evictions).hasValue(1);
		assertThat(this.events).containsOnlyOnce("overflow stream");
	}

	@Test
	void contentPublishedBeforeTheResponseIsReadyGoesFirstInOrder() {
		StreamHold hold = streamHold("s-o2", 8);
		this.registry.receive(stream("s-o2", Action.SEND, "a"), System.currentTimeMillis());
		this.registry.receive(stream("s-o2", Action.SEND, "b"), System.currentTimeMillis());
		RecordingOutput output = new RecordingOutput(8);
		hold.attach(output);
		this.registry.receive(stream("s-o2", Action.SEND, "c"), System.currentTimeMillis());
		end(hold);
		assertThat(output.written).containsExactly("a", "b", "c");
		assertThat(output.ended).isFalse();
		this.registry.receive(stream("s-o2", Action.SEND, "after the end"), System.currentTimeMillis());
		assertThat(output.written).containsExactly("a", "b", "c");
	}

	/** What the gateway does once the response is over. */
	private void end(StreamHold hold) {
		hold.detach();
		this.registry.unregister(hold);
	}

	/** An output that records what it is handed and takes at most {@code capacity} items. */
	static final class RecordingOutput implements StreamHold.Output {

		final List<String> written = new ArrayList<>();

		final int capacity;

		boolean ended;

		RecordingOutput(int capacity) {
			this.capacity = capacity;
		}

		@Override
		public boolean write(Content content) {
			if (this.written.size() >= this.capacity) {
				return false;
			}
			this.written.add(content.toUtf8());
			return true;
		}

		@Override
		public void end() {
			this.ended = true;
		}

	}

	@Test
	void repeatedIdIsCountedAsADropForEachSubscriber() {
		ResponseHold first = new ResponseHold(channel("dup"), Map.of());
		ResponseHold second = new ResponseHold(channel("dup"), Map.of());
		this.registry.register(first);
		this.registry.register(second);
		this.registry.receive(response("dup", "id-1", "once"), System.currentTimeMillis());
		this.events.clear();
		this.registry.receive(response("dup", "id-1", "again"), System.currentTimeMillis());
		assertThat(this.events).containsExactly("dropped response duplicate-id", "dropped response duplicate-id");
	}

}
