package io.gripway.bus;

import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import io.gripway.history.HistorySettings;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The bus on one Redis (standalone, or a master watched by Sentinel) with pub/sub: every publish, sent to any node,
 * goes through Redis, and each node delivers only what comes back from Redis, so each held connection gets a message
 * exactly once and in publish order. Fail-closed publishing, batching and gap reports are {@link AbstractRedisBus}'s.
 *
 * <h3>Redis layout</h3> One Redis channel per GRIP channel, named {@code channelPrefix + channel}, carrying
 * {@link BusCodec} messages; a node subscribes only to channels it holds connections for (see
 * {@link SubscriptionBatcher} for batching and linger). Two connections: one publishes, one subscribes.
 *
 * <h3>Sentinel</h3> With a {@code redis-sentinel://host:port[,host:port...]#master} URL Lettuce asks the Sentinels
 * for the master on every connection attempt, reconnects included. When the master fails, both connections drop (the
 * master is gone, or Sentinel kills the clients of a demoted one), publishes get 503 while Sentinel elects a new
 * master, and the reconnects find the new one: no restart needed.
 *
 * <h3>Outages</h3> Lettuce reconnects both connections on its own (backoff up to {@link #MAX_RECONNECT_DELAY}) and
 * renews the pub/sub connection's subscriptions; changes of interest that could not be sent meanwhile are sent once it
 * is back. Whenever the subscription connection comes (back) up the receiver is told of a {@linkplain BusReceiver#gap
 * gap} on every channel: what other nodes published meanwhile never reached this node.
 *
 * <h3>Thread safety</h3> As {@link AbstractRedisBus}: every method may be called from any thread.
 *
 * <h3>Lifecycle</h3> As {@link AbstractRedisBus}; the {@code RedisClient} belongs to this bus.
 */
final class RedisMessageBus extends AbstractRedisBus {

	private static final Log logger = LogFactory.getLog(RedisMessageBus.class);

	private final RedisURI uri;

	private final RedisClient client;

	private volatile @Nullable StatefulRedisConnection<String, byte[]> publisher;

	private volatile @Nullable StatefulRedisPubSubConnection<String, byte[]> subscriber;

	RedisMessageBus(RedisBusSettings settings) {
		super(settings, "redis");
		this.uri = RedisURI.create(settings.url());
		this.uri.setTimeout(settings.commandTimeout());
		this.client = RedisClient.create(this.resources);
		this.client.setOptions(failClosedOptions(ClientOptions.builder(), settings).build());
	}

	@Override
	protected void connectAll() {
		connect("publish", () -> this.client.connectAsync(CODEC, this.uri), this::publisherConnected);
		connect("subscribe", () -> this.client.connectPubSubAsync(CODEC, this.uri), this::subscriberConnected);
	}

	@Override
	protected boolean connected() {
		StatefulRedisConnection<String, byte[]> publisher = this.publisher;
		StatefulRedisPubSubConnection<String, byte[]> subscriber = this.subscriber;
		return publisher != null && publisher.isOpen() && subscriber != null && subscriber.isOpen();
	}

	@Override
	protected @Nullable CompletionStage<?> send(String redisChannel, byte[] message) {
		StatefulRedisConnection<String, byte[]> connection = this.publisher;
		// one connection pipelines the commands, so Redis receives them in this order
		return (connection != null) ? connection.async().publish(redisChannel, message) : null;
	}

	@Override
	protected @Nullable CompletionStage<?> sendKept(String historyKey, String redisChannel, byte[] message,
			HistorySettings settings) {
		StatefulRedisConnection<String, byte[]> connection = this.publisher;
		return (connection != null) ? connection.async()
			.eval(KEEP_AND_PUBLISH, ScriptOutputType.INTEGER, new String[] { historyKey },
					keepArguments("PUBLISH", redisChannel, message, settings)) : null;
	}

	@Override
	protected @Nullable CompletionStage<List<StreamMessage<String, byte[]>>> readKept(String historyKey) {
		StatefulRedisConnection<String, byte[]> connection = this.publisher;
		return (connection != null) ? connection.async().xrange(historyKey, Range.create("-", "+")) : null;
	}

	@Override
	protected boolean subscriberReady() {
		StatefulRedisPubSubConnection<String, byte[]> connection = this.subscriber;
		return connection != null && connection.isOpen();
	}

	@Override
	protected CompletionStage<?> sendSubscribe(Set<String> channels) {
		return subscriberConnection().async().subscribe(redisChannels(channels));
	}

	@Override
	protected CompletionStage<?> sendUnsubscribe(Set<String> channels) {
		return subscriberConnection().async().unsubscribe(redisChannels(channels));
	}

	@Override
	protected AbstractRedisClient client() {
		return this.client;
	}

	private StatefulRedisPubSubConnection<String, byte[]> subscriberConnection() {
		return Objects.requireNonNull(this.subscriber, "subscriberReady() was checked");
	}

	private void publisherConnected(StatefulRedisConnection<String, byte[]> connection) {
		connection.addListener(new ReconnectListener("publish"));
		this.publisher = connection;
	}

	private void subscriberConnected(StatefulRedisPubSubConnection<String, byte[]> connection) {
		connection.addListener(new ReconnectListener("subscribe"));
		connection.addListener(new RedisPubSubAdapter<String, byte[]>() {

			@Override
			public void message(String channel, byte[] message) {
				received(channel, message);
			}

		});
		this.subscriber = connection;
		this.subscriptions.flushNow();
		// connections may have been held while Redis was out of reach, and missed what other nodes published
		reportGapIfHeldBeforeConnected();
	}

	/** Logs connection state changes, counts reconnects, and sends pending interest when pub/sub is back. */
	private final class ReconnectListener implements RedisConnectionStateListener {

		private final String role;

		ReconnectListener(String role) {
			this.role = role;
		}

		@Override
		public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
			reconnects.incrementAndGet();
			logger.info("Redis bus " + this.role + " connection re-established (" + socketAddress + ")");
			if (connection instanceof StatefulRedisPubSubConnection) {
				subscriptions.flushNow();
				reportGapSoon(null);
			}
		}

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			logDisconnected(this.role);
		}

	}

}
