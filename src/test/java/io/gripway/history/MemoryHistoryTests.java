package io.gripway.history;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** History in memory: continuity proven or refused, bounds by size, time and channels. */
class MemoryHistoryTests {

	final AtomicLong now = new AtomicLong();

	final MemoryHistory history = new MemoryHistory(new ChannelPatterns(List.of("feed-*", "exact")), 3,
			Duration.ofSeconds(10).toNanos(), 2, this.now::get);

	static PublishItem item(String channel, @Nullable String id, @Nullable String prevId) {
		return new PublishItem(channel, id, prevId, Map.of(), null,
				new HttpStreamFormat(Action.SEND, Content.utf8(channel + ":" + id), null), null, false);
	}

	void publish(String channel, int from, int to) {
		for (int id = from; id <= to; id++) {
			this.history.record(item(channel, String.valueOf(id), String.valueOf(id - 1)), id);
		}
	}

	static List<String> ids(Replay replay) {
		return replay.items().stream().map(entry -> entry.item().id()).toList();
	}

	@Test
	void theItemsAfterAKnownIdAreContinuous() {
		publish("feed-a", 1, 3);
		Replay replay = this.history.replay("feed-a", "1");
		assertThat(replay.kind()).isEqualTo(Replay.Kind.CONTINUOUS);
		assertThat(ids(replay)).containsExactly("2", "3");
		assertThat(replay.items().get(0).publishedAtMillis()).isEqualTo(2);
	}

	@Test
	void theNewestIdIsCurrent() {
		publish("feed-a", 1, 3);
		assertThat(this.history.replay("feed-a", "3").kind()).isEqualTo(Replay.Kind.CURRENT);
	}

	@Test
	void aChannelWithoutHistoryIsUnknown() {
		assertThat(this.history.replay("feed-none", "3").kind()).isEqualTo(Replay.Kind.UNKNOWN);
	}

	@Test
	void anIdTrimmedOffTheRingIsAGapNotAnEmptyReplay() {
		publish("feed-a", 1, 5);
		assertThat(this.history.replay("feed-a", "1").kind()).isEqualTo(Replay.Kind.GAP);
		assertThat(ids(this.history.replay("feed-a", "3"))).containsExactly("4", "5");
	}

	@Test
	void anItemThatDoesNotFollowTheOneBeforeBreaksTheProof() {
		publish("feed-a", 1, 2);
		this.history.record(item("feed-a", "9", "7"), 9);
		assertThat(this.history.replay("feed-a", "1").kind()).isEqualTo(Replay.Kind.GAP);
		assertThat(this.history.replay("feed-a", "9").kind()).isEqualTo(Replay.Kind.CURRENT);
	}

	@Test
	void anItemKeptTwiceIsARepeatNotABreak() {
		publish("feed-a", 1, 1);
		// a publisher's retry of a publish that had gone through
		this.history.record(item("feed-a", "1", "0"), 1);
		publish("feed-a", 2, 2);
		Replay replay = this.history.replay("feed-a", "1");
		assertThat(replay.kind()).isEqualTo(Replay.Kind.CONTINUOUS);
		assertThat(ids(replay)).containsExactly("2");
	}

	@Test
	void itemsExpireAfterTheTtl() {
		publish("feed-a", 1, 2);
		this.now.addAndGet(Duration.ofSeconds(10).toNanos());
		assertThat(this.history.replay("feed-a", "1").kind()).isEqualTo(Replay.Kind.UNKNOWN);
	}

	@Test
	void onlyCoveredChannelsAndItemsWithIdsAreKept() {
		publish("other", 1, 2);
		this.history.record(item("exact", null, null), 1);
		assertThat(this.history.covers("other")).isFalse();
		assertThat(this.history.covers("exact")).isTrue();
		assertThat(this.history.covers("exactly")).isFalse();
		assertThat(this.history.channelCount()).isZero();
	}

	@Test
	void theChannelWrittenLongestAgoIsDroppedFirst() {
		publish("feed-a", 1, 1);
		publish("feed-b", 1, 1);
		publish("feed-a", 2, 2);
		publish("feed-c", 1, 1);
		assertThat(this.history.channelCount()).isEqualTo(2);
		assertThat(this.history.replay("feed-b", "1").kind()).isEqualTo(Replay.Kind.UNKNOWN);
		assertThat(ids(this.history.replay("feed-a", "1"))).containsExactly("2");
	}

	@Test
	void patternsMatchWholeNames() {
		ChannelPatterns patterns = new ChannelPatterns(List.of("app1:*", "*-live", "a.b"));
		assertThat(patterns.matches("app1:news")).isTrue();
		assertThat(patterns.matches("xapp1:news")).isFalse();
		assertThat(patterns.matches("scores-live")).isTrue();
		assertThat(patterns.matches("a.b")).isTrue();
		assertThat(patterns.matches("axb")).isFalse();
		assertThat(new ChannelPatterns(List.of("*")).matches("anything")).isTrue();
	}

}
