package io.gripway.bus;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.gripway.history.HistorySettings;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.event.Event;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * The bus on Redis Cluster with sharded pub/sub (Redis 7+): a GRIP channel's messages go with {@code SPUBLISH} to the
 * master of the slot its Redis channel hashes to, and only to the nodes that {@code SSUBSCRIBE}d there; no global
 * {@code PUBLISH}/{@code SUBSCRIBE} is used, so adding shards adds pub/sub capacity. Everything else (fail-closed
 * publishing, order per channel, exactly once, batching and linger, gap reports) is {@link AbstractRedisBus}'s.
 *
 * <h3>Routing</h3> Lettuce's cluster connections route each command by the slot of its first key, which for
 * {@code SPUBLISH}/{@code SSUBSCRIBE} is the shard channel; one channel's publishes always travel on the same node
 * connection, so their order holds. Redis rejects an {@code SSUBSCRIBE} whose channels span slots, so a batch is sent
 * as one command per slot. Lettuce refreshes the topology every {@link RedisBusSettings#topologyRefresh()} and at once
 * on its adaptive triggers (MOVED, persistent reconnects, uncovered slots), at most once a second.
 *
 * <h3>Failovers and slot moves</h3> Lettuce (6.8) does not move sharded subscriptions: it re-sends them, all in one
 * {@code SSUBSCRIBE}, only to the node they were on, which fails when they span slots or that node is no longer their
 * master. So this bus keeps, for each channel, the node that confirmed its subscription, and reconciles it with the
 * topology: when the node's connection drops, when Redis unsubscribes a channel itself (its slot moved away), when
 * the topology changes, and every refresh period. A channel whose node is no longer its slot's master, or whose node
 * connection dropped, is subscribed again (routed to the current master, retried until it succeeds), and once that is
 * confirmed the receiver is told of a {@linkplain BusReceiver#gap gap} on it. While a shard has no master, publishes on
 * its channels get 503 (fail-closed); channels on other shards carry on.
 *
 * <h3>Thread safety</h3> As {@link AbstractRedisBus}. {@link #shards} is written from Lettuce's I/O threads and read on
 * the scheduler thread; the reconciliation runs on the scheduler thread only.
 *
 * <h3>Lifecycle</h3> As {@link AbstractRedisBus}; the {@code RedisClusterClient} and the event subscription belong to
 * this bus and end on {@link #close}.
 */
final class RedisClusterMessageBus extends AbstractRedisBus {

	/** At most this often an adaptive trigger (MOVED, reconnect attempts) refreshes the topology. */
	static final Duration ADAPTIVE_REFRESH_TIMEOUT = Duration.ofSeconds(1);

	/** In {@link #shards}: the channel's subscription was on a node whose connection dropped, or Redis ended it. */
	private static final String LOST = "";

	private static final Log logger = LogFactory.getLog(RedisClusterMessageBus.class);

	private final RedisClusterClient client;

	/** GRIP channel to the id of the node that confirmed its SSUBSCRIBE, or {@link #LOST}. */
	private final Map<String, String> shards = new ConcurrentHashMap<>();

	/** Channels whose SUNSUBSCRIBE this node sent, to tell its confirmation from Redis ending a subscription. */
	private final Set<String> leaving = ConcurrentHashMap.newKeySet();

	/** Channels subscribed again after a loss: a gap is reported once Redis confirms. */
	private final Set<String> owed = ConcurrentHashMap.newKeySet();

	private volatile @Nullable StatefulRedisClusterConnection<String, byte[]> publisher;

	private volatile @Nullable StatefulRedisClusterPubSubConnection<String, byte[]> subscriber;

	private volatile @Nullable Disposable events;

	RedisClusterMessageBus(RedisBusSettings settings) {
		super(settings, "redis-cluster");
		this.client = RedisClusterClient.create(this.resources, seeds(settings));
		this.client.setOptions(failClosedOptions(ClusterClientOptions.builder(), settings)
			.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
				.enablePeriodicRefresh(settings.topologyRefresh())
				.enableAllAdaptiveRefreshTriggers()
				.adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_TIMEOUT)
				.build())
			.build());
	}

	/** {@code redis://a:1,redis://b:2} or {@code redis://a:1,b:2}: a seed without a scheme takes the first's. */
	static List<RedisURI> seeds(RedisBusSettings settings) {
		String[] parts = settings.url().split(",");
		String first = parts[0].strip();
		String scheme = first.contains("://") ? first.substring(0, first.indexOf("://") + 3) : "redis://";
		List<RedisURI> uris = new ArrayList<>(parts.length);
		for (String part : parts) {
			String seed = part.strip();
			RedisURI uri = RedisURI.create(seed.contains("://") ? seed : scheme + seed);
			uri.setTimeout(settings.commandTimeout());
			uris.add(uri);
		}
		return uris;
	}

	@Override
	protected void connectAll() {
		this.events = this.resources.eventBus().get().subscribe(this::onEvent);
		this.client.addListener(new NodeConnectionListener());
		// one after the other: both need the topology, which the first connection attempt loads
		connect("cluster publish",
				() -> this.client.refreshPartitionsAsync().thenCompose((loaded) -> this.client.connectAsync(CODEC)),
				this::publisherConnected);
	}

	private void publisherConnected(StatefulRedisClusterConnection<String, byte[]> connection) {
		this.publisher = connection;
		connect("cluster subscribe", () -> this.client.connectPubSubAsync(CODEC), this::subscriberConnected);
	}

	private void subscriberConnected(StatefulRedisClusterPubSubConnection<String, byte[]> connection) {
		connection.addListener(new ShardListener());
		this.subscriber = connection;
		this.subscriptions.flushNow();
		// connections may have been held while Redis was out of reach, and missed what other nodes published
		reportGapIfHeldBeforeConnected();
		try {
			long period = this.settings.topologyRefresh().toMillis();
			this.scheduler.scheduleWithFixedDelay(this::reconcile, period, period, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closed meanwhile
		}
	}

	/**
	 * Once both cluster connections are made. Their own "open" state only tells whether the connection to the one
	 * node they talk to by default is up, which says nothing about the shards: each publish fails on its own (503) when
	 * its shard is down, and the other shards carry on.
	 */
	@Override
	protected boolean connected() {
		return this.publisher != null && this.subscriber != null;
	}

	@Override
	protected @Nullable CompletionStage<?> send(String redisChannel, byte[] message) {
		StatefulRedisClusterConnection<String, byte[]> connection = this.publisher;
		return (connection != null) ? connection.async().spublish(redisChannel, message) : null;
	}

	/** Routed commands go to the node connections: the default connection being down does not stop them. */
	@Override
	protected @Nullable CompletionStage<?> sendKept(String historyKey, String redisChannel, byte[] message,
			HistorySettings settings) {
		StatefulRedisClusterConnection<String, byte[]> connection = this.publisher;
		return (connection != null) ? connection.async()
			.eval(KEEP_AND_PUBLISH, ScriptOutputType.INTEGER, new String[] { historyKey },
					keepArguments("SPUBLISH", redisChannel, message, settings)) : null;
	}

	@Override
	protected @Nullable CompletionStage<List<StreamMessage<String, byte[]>>> readKept(String historyKey) {
		StatefulRedisClusterConnection<String, byte[]> connection = this.publisher;
		return (connection != null) ? connection.async().xrange(historyKey, Range.create("-", "+")) : null;
	}

	@Override
	protected boolean subscriberReady() {
		return this.subscriber != null;
	}

	@Override
	protected CompletionStage<?> sendSubscribe(Set<String> channels) {
		this.leaving.removeAll(channels);
		List<CompletableFuture<?>> acks = new ArrayList<>();
		for (List<String> slot : bySlot(channels)) {
			acks.add(subscriberConnection().async()
				.ssubscribe(slot.toArray(String[]::new))
				.toCompletableFuture()
				.thenRun(() -> confirmed(slot)));
		}
		return CompletableFuture.allOf(acks.toArray(CompletableFuture<?>[]::new));
	}

	@Override
	protected CompletionStage<?> sendUnsubscribe(Set<String> channels) {
		this.leaving.addAll(channels);
		List<CompletableFuture<?>> acks = new ArrayList<>();
		for (List<String> slot : bySlot(channels)) {
			acks.add(subscriberConnection().async().sunsubscribe(slot.toArray(String[]::new)).toCompletableFuture());
		}
		return CompletableFuture.allOf(acks.toArray(CompletableFuture<?>[]::new));
	}

	@Override
	protected AbstractRedisClient client() {
		return this.client;
	}

	@Override
	public void close() {
		Disposable events = this.events;
		if (events != null) {
			events.dispose();
		}
		super.close();
	}

	/** Channels Redis confirms this node now receives (again): those subscribed again after a loss have a gap. */
	private void confirmed(List<String> redisChannels) {
		Set<String> gapped = new HashSet<>();
		for (String redisChannel : redisChannels) {
			String channel = gripChannel(redisChannel);
			if (channel != null && this.owed.remove(channel)) {
				gapped.add(channel);
			}
		}
		if (!gapped.isEmpty()) {
			logger.info("Redis bus re-subscribed " + gapped.size() + " channel(s) after a failover, reconnect or slot "
					+ "move; their connections recover from their origins");
			reportGapSoon(gapped);
		}
	}

	/** Redis channels of {@code channels}, grouped by slot: an SSUBSCRIBE may name channels of one slot only. */
	private Iterable<List<String>> bySlot(Set<String> channels) {
		Map<Integer, List<String>> slots = new HashMap<>();
		for (String channel : channels) {
			String redisChannel = redisChannel(channel);
			slots.computeIfAbsent(SlotHash.getSlot(redisChannel), (slot) -> new ArrayList<>()).add(redisChannel);
		}
		return slots.values();
	}

	private StatefulRedisClusterPubSubConnection<String, byte[]> subscriberConnection() {
		return Objects.requireNonNull(this.subscriber, "subscriberReady() was checked");
	}

	/** Lettuce's events, on its threads: only hands work to the scheduler thread. */
	private void onEvent(Event event) {
		if (!this.closed && event instanceof ClusterTopologyChangedEvent) {
			execute(this::reconcile);
		}
	}

	/** A connection to the node at {@code address} dropped: its subscriptions are lost, whatever Lettuce re-sends. */
	private void nodeLost(SocketAddress address) {
		Set<String> nodeIds = new HashSet<>();
		for (RedisClusterNode node : this.client.getPartitions()) {
			if (at(node, address)) {
				nodeIds.add(node.getNodeId());
			}
		}
		this.shards.replaceAll((channel, nodeId) -> nodeIds.contains(nodeId) ? LOST : nodeId);
		reconcile();
	}

	private static boolean at(RedisClusterNode node, SocketAddress address) {
		RedisURI uri = node.getUri();
		if (uri == null || !(address instanceof InetSocketAddress inet) || inet.getPort() != uri.getPort()) {
			return false;
		}
		return uri.getHost().equals(inet.getHostString())
				|| (inet.getAddress() != null && uri.getHost().equals(inet.getAddress().getHostAddress()));
	}

	/**
	 * Subscribes again every wanted channel whose subscription was lost or whose slot has another master now; they
	 * are owed a gap report once Redis confirms. Scheduler thread only.
	 */
	private void reconcile() {
		if (this.closed || this.subscriber == null) {
			return;
		}
		Partitions partitions = this.client.getPartitions();
		Set<String> lost = this.subscriptions.resubscribeLost((channel) -> {
			String nodeId = this.shards.get(channel);
			if (nodeId == null) {
				return false; // never confirmed yet: its SSUBSCRIBE is in flight or retried by the batcher
			}
			if (nodeId.equals(LOST)) {
				return true;
			}
			RedisClusterNode master = partitions.getMasterBySlot(SlotHash.getSlot(redisChannel(channel)));
			return master != null && !master.getNodeId().equals(nodeId);
		});
		if (!lost.isEmpty()) {
			logger.warn("Redis bus lost the subscriptions of " + lost.size()
					+ " channel(s) (failover, reconnect or slot move); subscribing again");
			this.owed.addAll(lost);
		}
	}

	private void execute(Runnable task) {
		try {
			this.scheduler.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	/**
	 * Watches the pub/sub connections to the nodes (one per node carrying subscriptions): when one drops, the
	 * subscriptions it carried are lost whatever Lettuce re-sends. Other connections (publishing, and the short-lived
	 * ones of topology refreshes) carry no subscription and are ignored.
	 */
	private final class NodeConnectionListener implements RedisConnectionStateListener {

		/** Where each pub/sub connection is connected; weak, so closed connections leave. */
		private final Map<RedisChannelHandler<?, ?>, SocketAddress> addresses = Collections
			.synchronizedMap(new WeakHashMap<>());

		@Override
		public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
			if (connection instanceof StatefulRedisPubSubConnection && this.addresses.put(connection, address) != null) {
				reconnects.incrementAndGet();
			}
		}

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			SocketAddress address = this.addresses.get(connection);
			if (address != null && !closed) {
				logDisconnected("subscribe (cluster node " + address + ")");
				execute(() -> nodeLost(address));
			}
		}

	}

	/** Messages and subscription confirmations from every shard, on Lettuce's I/O threads. */
	private final class ShardListener extends RedisClusterPubSubAdapter<String, byte[]> {

		@Override
		public void smessage(RedisClusterNode node, String shardChannel, byte[] message) {
			received(shardChannel, message);
		}

		@Override
		public void ssubscribed(RedisClusterNode node, String shardChannel, long count) {
			String channel = gripChannel(shardChannel);
			if (channel != null && node != null) {
				shards.put(channel, node.getNodeId());
			}
		}

		@Override
		public void sunsubscribed(RedisClusterNode node, String shardChannel, long count) {
			String channel = gripChannel(shardChannel);
			if (channel == null) {
				return;
			}
			if (leaving.remove(channel)) {
				shards.remove(channel);
				return;
			}
			// not asked for: Redis ended it because the slot moved away from that node
			if (node != null) {
				shards.replace(channel, node.getNodeId(), LOST);
			}
			else {
				shards.put(channel, LOST);
			}
			execute(RedisClusterMessageBus.this::reconcile);
		}

	}

}
