package io.gripway.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.gripway.publish.PublishItem;

/**
 * History's answer to "what came on this channel after this id".
 *
 * @param kind whether history could answer, and how
 * @param items the items after the id, oldest first: only for {@link Kind#CONTINUOUS}
 */
public record Replay(Kind kind, List<Entry> items) {

	/** What history could say. */
	public enum Kind {

		/** The id is the newest item in history: nothing was missed. */
		CURRENT("current"),

		/** The items after the id, each following the one before: replay them. */
		CONTINUOUS("continuous"),

		/** History has nothing for the channel: it cannot tell whether anything was missed. */
		UNKNOWN("unknown"),

		/** History has items but cannot prove what follows the id (not found, trimmed, or history was lost). */
		GAP("gap");

		private final String tag;

		Kind(String tag) {
			this.tag = tag;
		}

		/** A bounded metrics tag. */
		public String tag() {
			return this.tag;
		}

	}

	/**
	 * One item as it was published.
	 * @param item the item
	 * @param publishedAtMillis when the publish API accepted it
	 */
	public record Entry(PublishItem item, long publishedAtMillis) {

		public Entry {
			Objects.requireNonNull(item, "item");
		}

	}

	public Replay {
		Objects.requireNonNull(kind, "kind");
		items = List.copyOf(items);
	}

	/**
	 * What {@code kept}, a channel's history oldest first, proves follows {@code prevId}: the entries after the one
	 * whose id it is, as long as each names the one before as its prev-id (an entry repeating the one before is
	 * skipped). Shared by every kind of history, so they all prove continuity the same way.
	 */
	public static Replay after(List<Entry> kept, String prevId) {
		if (kept.isEmpty()) {
			return unknown();
		}
		List<Entry> after = new ArrayList<>();
		boolean found = false;
		String last = prevId;
		for (Entry entry : kept) {
			if (!found) {
				found = prevId.equals(entry.item().id());
				continue;
			}
			if (last.equals(entry.item().id())) {
				// the item before, kept twice (a publisher retried a publish that had gone through): a repeat
				continue;
			}
			// each must follow the one before: an item published without prev-id, or out of order, breaks the proof
			if (!last.equals(entry.item().prevId())) {
				return gap();
			}
			after.add(entry);
			last = entry.item().id();
		}
		if (!found) {
			return gap();
		}
		return after.isEmpty() ? current() : continuous(after);
	}

	public static Replay current() {
		return new Replay(Kind.CURRENT, List.of());
	}

	public static Replay unknown() {
		return new Replay(Kind.UNKNOWN, List.of());
	}

	public static Replay gap() {
		return new Replay(Kind.GAP, List.of());
	}

	public static Replay continuous(List<Entry> items) {
		return new Replay(Kind.CONTINUOUS, items);
	}

}
