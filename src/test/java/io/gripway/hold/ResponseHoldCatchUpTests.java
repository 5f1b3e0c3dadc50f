package io.gripway.hold;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gripway.history.ChannelHistory;
import io.gripway.history.Replay;
import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.Action;
import io.gripway.publish.HttpResponseFormat;
import io.gripway.publish.PublishItem;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long-poll held behind its channel is answered from history; what is published while history is read waits for
 * that answer instead of being taken for a gap.
 */
class ResponseHoldCatchUpTests {

	/** History's answer, given when the test says, as a read from Redis arrives some time after the hold. */
	final Sinks.One<Replay> answer = Sinks.one();

	final ChannelHistory history = new ChannelHistory() {

		@Override
		public boolean covers(String channel) {
			return true;
		}

		@Override
		public void record(PublishItem item, long publishedAtMillis) {
		}

		@Override
		public Mono<Replay> after(String channel, String prevId) {
			return ResponseHoldCatchUpTests.this.answer.asMono();
		}

	};

	final HoldRegistry registry = new HoldRegistry(new RecordingBus(),
			new HoldLimits(10, 20, Duration.ofSeconds(60), 100, Duration.ofSeconds(1)), HoldListener.NONE,
			this.history);

	static PublishItem item(String id, String prevId) {
		return new PublishItem("feed", id, prevId, Map.of(),
				new HttpResponseFormat(Action.SEND, 200, null, List.of(), Content.utf8("item " + id), null), null,
				null, true);
	}

	ResponseHold heldAt(String prevId) {
		ResponseHold hold = new ResponseHold(List.of(new ChannelSubscription("feed", prevId, List.of())), Map.of(),
				this.history);
		assertThat(this.registry.register(hold)).isTrue();
		return hold;
	}

	static void assertReleasedWith(ResponseHold hold, String body) {
		StepVerifier.create(hold.released(Duration.ofSeconds(5))).assertNext(release -> {
			assertThat(release.retry()).as("sent back to the origin").isNull();
			assertThat(release.format().body().toUtf8()).isEqualTo(body);
		}).verifyComplete();
	}

	@Test
	void anItemPublishedWhileHistoryIsReadDoesNotSendItBackToTheOrigin() {
		ResponseHold hold = heldAt("1");
		// item 4 names 3, which the long-poll has not seen: taken now, it would be a gap
		this.registry.receive(item("4", "3"), 4);
		this.answer.tryEmitValue(Replay.continuous(
				List.of(new Replay.Entry(item("2", "1"), 2), new Replay.Entry(item("3", "2"), 3))));
		assertReleasedWith(hold, "item 2");
	}

	@Test
	void anItemPublishedWhileHistoryIsReadIsTakenWhenHistoryHasNothingNewer() {
		ResponseHold hold = heldAt("1");
		this.registry.receive(item("2", "1"), 2);
		this.answer.tryEmitValue(Replay.current());
		assertReleasedWith(hold, "item 2");
	}

}
