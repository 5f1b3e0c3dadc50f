package io.gripway.bus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import io.gripway.history.ChannelHistory;
import io.gripway.history.HistorySettings;
import io.gripway.history.Replay;
import io.gripway.publish.PublishItem;
import io.lettuce.core.StreamMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

/**
 * History in Redis, so every replica replays what any replica published: one stream per covered channel, appended
 * by the same script that publishes the item (see {@link AbstractRedisBus#KEEP_AND_PUBLISH}), so an item in history
 * was published and an item published with an id is in history. The stream's key carries the Redis channel as its
 * hash tag, so on a Redis Cluster it lives on the shard that carries the channel and one script can do both.
 *
 * <h3>Continuity</h3> Proven by the chain of prev-ids inside the stream ({@link Replay#after}), so a stream that was
 * lost (Redis restarted empty, the key expired) cannot pass for a complete one: the id a client asks about is then not
 * found, and the client recovers from its origin. Items older than the TTL are left out even if the stream still
 * holds them. When Redis cannot be read, history cannot prove anything either, and says {@code GAP}.
 *
 * <h3>Thread safety</h3> Stateless beyond its settings; {@link #after} completes on a Lettuce thread.
 */
final class RedisHistory implements ChannelHistory {

	private static final Log logger = LogFactory.getLog(RedisHistory.class);

	private final AbstractRedisBus bus;

	private final HistorySettings settings;

	RedisHistory(AbstractRedisBus bus, HistorySettings settings) {
		this.bus = bus;
		this.settings = settings;
	}

	HistorySettings settings() {
		return this.settings;
	}

	@Override
	public boolean covers(String channel) {
		return this.settings.channels().matches(channel);
	}

	/** Nothing: the bus writes history with each publish, in Redis. */
	@Override
	public void record(PublishItem item, long publishedAtMillis) {
	}

	/** Whether {@code item} goes to history as it is published. */
	boolean keeps(PublishItem item) {
		return item.id() != null && covers(item.channel());
	}

	/** The stream that keeps the history of the Redis channel {@code redisChannel}, in its hash slot. */
	static String key(String redisChannel) {
		return "{" + redisChannel + "}:history";
	}

	/**
	 * Read once the channel is live on this node: a connection held here for the first time on its channel subscribes
	 * it, and what is published between a read made before its SUBSCRIBE took effect and that moment would reach the
	 * connection neither from history nor live, so it would go back to its origin for it. What is published after the
	 * channel is live and before the read comes both ways; the connection keeps the first.
	 */
	@Override
	public Mono<Replay> after(String channel, String prevId) {
		return this.bus.live(channel).then(Mono.defer(() -> {
			CompletionStage<List<StreamMessage<String, byte[]>>> read = this.bus.readKept(key(this.bus.redisChannel(channel)));
			if (read == null) {
				return Mono.just(Replay.gap());
			}
			return Mono.fromCompletionStage(read).map(messages -> Replay.after(entries(messages), prevId));
		})).onErrorResume(error -> {
			logger.info("History of '" + channel + "' could not be read: " + error.getMessage());
			return Mono.just(Replay.gap());
		});
	}

	private List<Replay.Entry> entries(List<StreamMessage<String, byte[]>> messages) {
		long oldest = System.currentTimeMillis() - this.settings.ttl().toMillis();
		List<Replay.Entry> entries = new ArrayList<>(messages.size());
		for (StreamMessage<String, byte[]> message : messages) {
			byte[] encoded = message.getBody().get(AbstractRedisBus.HISTORY_FIELD);
			if (encoded == null) {
				continue;
			}
			try {
				BusCodec.Message decoded = BusCodec.decode(encoded);
				if (decoded.publishedAtMillis() >= oldest) {
					entries.add(new Replay.Entry(decoded.item(), decoded.publishedAtMillis()));
				}
			}
			catch (MalformedBusMessageException ex) {
				// an entry this node cannot read breaks the chain at that point: the proof stops there
				entries.clear();
			}
		}
		return entries;
	}

}
