package io.gripway.hold;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SequencerTests {

	static final long WAIT = TimeUnit.SECONDS.toNanos(5);

	static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

	final Sequencer<PublishItem> sequencer = new Sequencer<>(WAIT, 100, 1_000_000, item -> item);

	static PublishItem item(String channel, @Nullable String id, @Nullable String prevId) {
		return item(channel, id, prevId, false);
	}

	static PublishItem item(String channel, @Nullable String id, @Nullable String prevId, boolean noSeq) {
		return new PublishItem(channel, id, prevId, Map.of(), null,
				new HttpStreamFormat(Action.SEND, Content.utf8(channel + ":" + id), null), null, noSeq);
	}

	static List<@Nullable String> ids(List<PublishItem> items) {
		return items.stream().map(PublishItem::id).toList();
	}

	@Test
	void inOrderItemsPassStraightThrough() {
		assertThat(ids(this.sequencer.offer(item("c", "1", "0"), true, 0))).containsExactly("1");
		assertThat(ids(this.sequencer.offer(item("c", "2", "1"), true, 1))).containsExactly("2");
		assertThat(ids(this.sequencer.offer(item("c", "3", "2"), true, 2))).containsExactly("3");
		assertThat(this.sequencer.lastId("c")).isEqualTo("3");
		assertThat(this.sequencer.hasPending()).isFalse();
		assertThat(this.sequencer.waited()).isZero();
	}

	@Test
	void firstItemOnAChannelWithNoKnownLastIdIsDeliveredAtOnce() {
		assertThat(ids(this.sequencer.offer(item("c", "7", "6"), true, 0))).containsExactly("7");
		assertThat(this.sequencer.lastId("c")).isEqualTo("7");
	}

	@Test
	void publishStreamReorder() {
		this.sequencer.offer(item("c", "0", null), true, 0);
		assertThat(this.sequencer.offer(item("c", "2", "1"), true, 1)).isEmpty();
		assertThat(this.sequencer.hasPending()).isTrue();
		assertThat(ids(this.sequencer.offer(item("c", "1", "0"), true, 2))).containsExactly("1", "2");
		assertThat(this.sequencer.lastId("c")).isEqualTo("2");
		assertThat(this.sequencer.hasPending()).isFalse();
		assertThat(this.sequencer.waited()).isEqualTo(1);
	}

	@Test
	void chainArrivingInReverseIsReleasedInOrderByTheMissingFirst() {
		this.sequencer.offer(item("c", "0", null), true, 0);
		assertThat(this.sequencer.offer(item("c", "3", "2"), true, 1)).isEmpty();
		assertThat(this.sequencer.offer(item("c", "2", "1"), true, 2)).isEmpty();
		assertThat(ids(this.sequencer.offer(item("c", "1", "0"), true, 3))).containsExactly("1", "2", "3");
		assertThat(this.sequencer.lastId("c")).isEqualTo("3");
		assertThat(this.sequencer.hasPending()).isFalse();
	}

	@Test
	void waitingItemIsReleasedWhenItsWaitEnds() {
		this.sequencer.offer(item("c", "3", null), true, 0);
		assertThat(this.sequencer.offer(item("c", "5", "4"), true, 0)).isEmpty();
		assertThat(this.sequencer.expire(WAIT - 1)).isEmpty();
		assertThat(ids(this.sequencer.expire(WAIT))).containsExactly("5");
		assertThat(this.sequencer.lastId("c")).isEqualTo("5");
		assertThat(this.sequencer.hasPending()).isFalse();
		assertThat(this.sequencer.releasedByTimer()).isEqualTo(1);
	}

	@Test
	void expiryReleasesOnlyTheItemsWhoseWaitEndedOldestFirst() {
		this.sequencer.offer(item("c", "1", null), true, 0);
		this.sequencer.offer(item("c", "5", "4"), true, 0);
		this.sequencer.offer(item("d", "9", null), true, 0);
		this.sequencer.offer(item("d", "12", "11"), true, 100 * MS);
		this.sequencer.offer(item("c", "8", "7"), true, 2000 * MS);
		assertThat(ids(this.sequencer.expire(WAIT + 100 * MS))).containsExactly("5", "12");
		assertThat(this.sequencer.hasPending()).isTrue();
		assertThat(ids(this.sequencer.expire(WAIT + 2000 * MS))).containsExactly("8");
		assertThat(this.sequencer.releasedByTimer()).isEqualTo(3);
	}

	@Test
	void expiredItemReleasesTheItemsWaitingOnIt() {
		this.sequencer.offer(item("c", "1", null), true, 0);
		this.sequencer.offer(item("c", "5", "4"), true, 0);
		this.sequencer.offer(item("c", "6", "5"), true, 4000 * MS);
		assertThat(ids(this.sequencer.expire(WAIT))).containsExactly("5", "6");
		assertThat(this.sequencer.hasPending()).isFalse();
		assertThat(this.sequencer.releasedByTimer()).isEqualTo(1);
	}

	@Test
	void itemsBeyondTheChannelLimitAreDropped() {
		Sequencer<PublishItem> small = new Sequencer<>(WAIT, 2, 1_000_000, item -> item);
		small.offer(item("c", "0", null), true, 0);
		small.offer(item("c", "11", "10"), true, 1);
		small.offer(item("c", "21", "20"), true, 2);
		assertThat(small.offer(item("c", "31", "30"), true, 3)).isEmpty();
		assertThat(small.dropped()).isEqualTo(1);
		assertThat(small.waited()).isEqualTo(2);
		assertThat(ids(small.expire(WAIT + 3))).containsExactly("11", "21");
		assertThat(small.offer(item("d", "2", null), true, 4)).hasSize(1);
	}

	@Test
	void secondItemWaitingOnTheSamePrevIdIsDropped() {
		this.sequencer.offer(item("c", "0", null), true, 0);
		this.sequencer.offer(item("c", "2", "1"), true, 1);
		assertThat(this.sequencer.offer(item("c", "2b", "1"), true, 2)).isEmpty();
		assertThat(this.sequencer.dropped()).isEqualTo(1);
		assertThat(ids(this.sequencer.offer(item("c", "1", "0"), true, 3))).containsExactly("1", "2");
	}

	@Test
	void noSeqItemBypassesAndLeavesTheLastIdAlone() {
		this.sequencer.offer(item("c", "1", null), true, 0);
		assertThat(ids(this.sequencer.offer(item("c", "9", "8", true), true, 1))).containsExactly("9");
		assertThat(this.sequencer.lastId("c")).isEqualTo("1");
		assertThat(this.sequencer.hasPending()).isFalse();
	}

	@Test
	void channelWithoutSubscribersBypassesAndRemembersNothing() {
		this.sequencer.offer(item("c", "1", null), true, 0);
		this.sequencer.forget("c");
		assertThat(ids(this.sequencer.offer(item("c", "5", "4"), false, 1))).containsExactly("5");
		assertThat(this.sequencer.lastId("c")).isNull();
		// a subscriber comes back: its first item goes straight through
		assertThat(ids(this.sequencer.offer(item("c", "7", "6"), true, 2))).containsExactly("7");
	}

	@Test
	void itemWithoutPrevIdBypassesAndBecomesTheLastId() {
		this.sequencer.offer(item("c", "1", null), true, 0);
		assertThat(ids(this.sequencer.offer(item("c", "x", null), true, 1))).containsExactly("x");
		assertThat(this.sequencer.lastId("c")).isEqualTo("x");
	}

	@Test
	void itemWithoutIdForgetsTheLastId() {
		this.sequencer.offer(item("c", "1", null), true, 0);
		this.sequencer.offer(item("c", null, "1"), true, 1);
		assertThat(this.sequencer.lastId("c")).isNull();
		assertThat(ids(this.sequencer.offer(item("c", "5", "4"), true, 2))).containsExactly("5");
	}

	@Test
	void forgetOnUnsubscribeDropsTheLastIdAndTheWaitingItems() {
		this.sequencer.offer(item("c", "1", null), true, 0);
		this.sequencer.offer(item("c", "3", "2"), true, 1);
		this.sequencer.forget("c");
		assertThat(this.sequencer.lastId("c")).isNull();
		assertThat(this.sequencer.hasPending()).isFalse();
		assertThat(this.sequencer.expire(WAIT + 1)).isEmpty();
		assertThat(ids(this.sequencer.offer(item("c", "2", "1"), true, 2))).containsExactly("2");
		assertThat(this.sequencer.dropped()).isZero();
	}

	@Test
	void clearForgetsEveryLastIdAndKeepsWaitingItems() {
		this.sequencer.offer(item("a", "1", null), true, 0);
		this.sequencer.offer(item("b", "1", null), true, 0);
		this.sequencer.offer(item("a", "3", "2"), true, 1);
		this.sequencer.clear();
		assertThat(this.sequencer.lastId("a")).isNull();
		assertThat(this.sequencer.lastId("b")).isNull();
		assertThat(ids(this.sequencer.offer(item("b", "9", "8"), true, 2))).containsExactly("9");
		// the waiting item still follows its predecessor, which now passes at once
		assertThat(ids(this.sequencer.offer(item("a", "2", "1"), true, 3))).containsExactly("2", "3");
	}

	@Test
	void forgetLastIdKeepsTheWaitingItems() {
		this.sequencer.offer(item("c", "1", null), true, 0);
		this.sequencer.offer(item("c", "3", "2"), true, 1);
		this.sequencer.forgetLastId("c");
		assertThat(this.sequencer.lastId("c")).isNull();
		assertThat(this.sequencer.hasPending()).isTrue();
		assertThat(ids(this.sequencer.expire(WAIT + 1))).containsExactly("3");
	}

	@Test
	void lastIdTableForgetsTheLeastRecentlySetChannel() {
		Sequencer<PublishItem> small = new Sequencer<>(WAIT, 100, 2, item -> item);
		small.offer(item("a", "1", null), true, 0);
		small.offer(item("b", "1", null), true, 1);
		small.offer(item("a", "2", "1"), true, 2);
		small.offer(item("c", "1", null), true, 3);
		assertThat(small.lastId("b")).isNull();
		assertThat(small.lastId("a")).isEqualTo("2");
		assertThat(small.lastId("c")).isEqualTo("1");
		// b's last id is unknown again, so its next item is not held
		assertThat(ids(small.offer(item("b", "5", "4"), true, 4))).containsExactly("5");
	}

	@Test
	void channelsWithWaitingItemsAreCappedAndTheOverflowIsDelivered() {
		Sequencer<PublishItem> small = new Sequencer<>(WAIT, 100, 1, item -> item);
		small.offer(item("a", "1", null), true, 0);
		small.offer(item("a", "3", "2"), true, 1);
		// b evicts a's last id, but a's item still waits: b may not open a second waiting list
		small.offer(item("b", "1", null), true, 2);
		assertThat(ids(small.offer(item("b", "3", "2"), true, 3))).containsExactly("3");
		assertThat(small.waited()).isEqualTo(1);
	}

	@Test
	void channelsAreIndependent() {
		this.sequencer.offer(item("a", "1", null), true, 0);
		this.sequencer.offer(item("b", "1", null), true, 0);
		assertThat(this.sequencer.offer(item("a", "3", "2"), true, 1)).isEmpty();
		assertThat(ids(this.sequencer.offer(item("b", "2", "1"), true, 2))).containsExactly("2");
		assertThat(ids(this.sequencer.offer(item("b", "3", "2"), true, 3))).containsExactly("3");
		assertThat(this.sequencer.hasPending()).isTrue();
		assertThat(ids(this.sequencer.offer(item("a", "2", "1"), true, 4))).containsExactly("2", "3");
		assertThat(this.sequencer.lastId("a")).isEqualTo("3");
		assertThat(this.sequencer.lastId("b")).isEqualTo("3");
	}

}
