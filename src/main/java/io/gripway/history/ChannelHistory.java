package io.gripway.history;

import io.gripway.publish.PublishItem;
import reactor.core.publisher.Mono;

/**
 * The recent items of the channels history is enabled for ({@code gripway.history.channels}), with their ids and
 * prev-ids, whether or not any node held a connection on the channel when they were published.
 *
 * <h3>Continuity</h3> History only ever answers with items it can prove follow the id asked about: the item whose
 * prev-id is that id, then each item whose prev-id is the one before's id. When it cannot (the id is not in it, was
 * trimmed, or the history was lost since), it says so, and the caller falls back to the origin (next link, retry): a
 * gap is never papered over.
 *
 * <h3>Thread safety</h3> Implementations are thread-safe; {@link #after} must not block.
 */
public interface ChannelHistory {

	/** Whether history is kept for {@code channel}. */
	boolean covers(String channel);

	/**
	 * Keeps a published item, if its channel is covered and it has an id. Called on the node's delivery path, once per
	 * item, in publish order (a bus that keeps history itself, atomically with the publish, records nothing here).
	 */
	void record(PublishItem item, long publishedAtMillis);

	/** What history knows of {@code channel} after {@code prevId}; see {@link Replay}. */
	Mono<Replay> after(String channel, String prevId);

	/** Keeps nothing and covers no channel. */
	ChannelHistory NONE = new ChannelHistory() {

		@Override
		public boolean covers(String channel) {
			return false;
		}

		@Override
		public void record(PublishItem item, long publishedAtMillis) {
		}

		@Override
		public Mono<Replay> after(String channel, String prevId) {
			return Mono.just(Replay.unknown());
		}

	};

}
