package io.gripway.bus;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.gripway.publish.PublishItem;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The cluster bus on Redis pub/sub: every publish, sent to any node, goes through Redis, and each node delivers only
 * what comes back from Redis, so each held connection gets a message exactly once and in publish order.
 *
 * <h3>Redis layout</h3> One Redis channel per GRIP channel, named {@code channelPrefix + channel}, carrying
 * {@link BusCodec} messages. A node subscribes only to channels it holds connections for (see
 * {@link SubscriptionBatcher} for batching and linger). Keeping one Redis channel per GRIP channel, rather than one
 * shared channel, keeps Redis Cluster sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}) open for later.
 *
 * <h3>Fail-closed</h3> When Redis is unreachable, or either of this node's two connections is down, {@link #publish}
 * fails at once with {@link BusUnavailableException} (the publish API answers 503) and nothing is delivered, not even
 * locally: a publisher that got 200 may rely on every node having the message, and local-only delivery would make
 * nodes diverge silently. Commands are never queued while disconnected ({@code REJECT_COMMANDS}) and a command waits at
 * most {@link Settings#commandTimeout()}. A PUBLISH in flight when the connection breaks fails (Lettuce completes it
 * with "Connection disconnected"), and the replay filter makes sure Lettuce never sends it again after reconnecting:
 * that would deliver a message whose publisher was told it was rejected. The first failure of an outage is logged at
 * error level; later ones only reach the publisher.
 *
 * <h3>Outages</h3> Lettuce reconnects both connections on its own (with backoff up to
 * {@link #MAX_RECONNECT_DELAY}) and renews the pub/sub connection's subscriptions; changes of interest that could not
 * be sent meanwhile are sent once it is back. Redis pub/sub is at-most-once: a message published while this node's
 * subscription connection is down never reaches this node, as after a restart of Redis or when Redis disconnects this
 * node as a slow consumer. So whenever the subscription connection comes (back) up, and whenever a message is dropped
 * (queue full) or unreadable, the receiver is told of a {@linkplain BusReceiver#gap gap}, and the connections
 * concerned recover from their origins (next links, retries): nothing is lost silently where the origin can replay it. If Redis is unreachable at {@link #start}, the bus still
 * starts, reports itself unavailable and keeps trying to connect.
 *
 * <h3>Thread safety</h3> All public methods may be called from any thread, event loops included; none blocks on
 * Redis. Messages are decoded on Lettuce's I/O thread and handed to one delivery thread ({@link DeliveryLoop}, as in the in-memory
 * bus), which calls the {@link BusReceiver}, survives whatever it throws, and makes the bus unavailable if it is gone. The {@code Mono} of {@link #publish} completes on a Lettuce I/O thread: whoever
 * subscribes to it must not block there.
 *
 * <h3>Lifecycle</h3> The constructor does no I/O; {@link #start} connects (in the background) and {@link #close}
 * disconnects and stops the bus's threads. A {@code RedisClient} and its resources belong to each bus.
 */
final class RedisMessageBus implements MessageBus, BusStats, AutoCloseable {

	/** How long after the subscription connection is back its connections start recovering. */
	static final Duration GAP_DELAY = Duration.ofMillis(100);

	/** Upper bound of the delay between connection attempts, at start-up and after an outage. */
	static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

	private static final Log logger = LogFactory.getLog(RedisMessageBus.class);

	private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

	/**
	 * @param url Redis URI, e.g. {@code redis://127.0.0.1:6379}
	 * @param channelPrefix prepended to each GRIP channel to make the Redis channel name
	 * @param subscriptionLinger how long a channel stays subscribed after its last local subscriber left
	 * @param commandTimeout how long a connection attempt or a command (PUBLISH, SUBSCRIBE) may take before it fails
	 * @param deliveryQueueCapacity received messages waiting for the delivery thread; more are dropped
	 */
	record Settings(String url, String channelPrefix, Duration subscriptionLinger, Duration commandTimeout,
			int deliveryQueueCapacity) {

		Settings {
			Objects.requireNonNull(url, "url");
			Objects.requireNonNull(channelPrefix, "channelPrefix");
			requirePositive(subscriptionLinger, "subscriptionLinger");
			requirePositive(commandTimeout, "commandTimeout");
			if (deliveryQueueCapacity < 1) {
				throw new IllegalArgumentException("deliveryQueueCapacity must be at least 1");
			}
		}

		/** Defaults: prefix {@code gripway:}, linger 60 s (as Pushpin), command timeout 2 s, 10,000 queued. */
		static Settings of(String url) {
			return new Settings(url, "gripway:", Duration.ofSeconds(60), Duration.ofSeconds(2), 10_000);
		}

		private static void requirePositive(Duration duration, String name) {
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException(name + " must be positive");
			}
		}

	}

	private final Settings settings;

	private final ClientResources resources;

	private final RedisURI uri;

	private final RedisClient client;

	/** Connection attempts, debounced subscription changes and linger timers: all on this one thread. */
	private final ScheduledExecutorService scheduler;

	private final SubscriptionBatcher subscriptions;

	private final AtomicLong received = new AtomicLong();

	private final AtomicLong malformed = new AtomicLong();

	private final AtomicLong reconnects = new AtomicLong();

	private final AtomicLong gaps = new AtomicLong();

	private volatile BusReceiver receiver = (item, publishedAtMillis) -> {
	};

	private final AtomicBoolean publishFailing = new AtomicBoolean();

	private volatile @Nullable StatefulRedisConnection<String, byte[]> publisher;

	private volatile @Nullable StatefulRedisPubSubConnection<String, byte[]> subscriber;

	private volatile @Nullable DeliveryLoop deliveries;

	private volatile boolean closed;

	RedisMessageBus(Settings settings) {
		this.settings = settings;
		this.resources = ClientResources.builder()
			.ioThreadPoolSize(2)
			.computationThreadPoolSize(2)
			.reconnectDelay(Delay.exponential(Duration.ZERO, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
			.build();
		this.uri = RedisURI.create(settings.url());
		this.uri.setTimeout(settings.commandTimeout());
		this.client = RedisClient.create(this.resources);
		this.client.setOptions(ClientOptions.builder()
			.autoReconnect(true)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			// never re-send a PUBLISH whose publisher may already have been answered 503
			.replayFilter((command) -> command.getType() == CommandType.PUBLISH)
			.timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
			.socketOptions(SocketOptions.builder().connectTimeout(settings.commandTimeout()).keepAlive(true).build())
			.build());
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "gripway-bus-redis");
			thread.setDaemon(true);
			return thread;
		});
		this.subscriptions = new SubscriptionBatcher(this.scheduler, new PubSubSender(),
				settings.subscriptionLinger());
	}

	@Override
	public void start(BusReceiver receiver) {
		if (this.deliveries != null) {
			throw new IllegalStateException("already started");
		}
		this.receiver = receiver;
		this.deliveries = new DeliveryLoop(receiver, this.settings.deliveryQueueCapacity(), "gripway-bus-delivery");
		connect("publish", () -> this.client.connectAsync(CODEC, this.uri), this::publisherConnected, 0);
		connect("subscribe", () -> this.client.connectPubSubAsync(CODEC, this.uri), this::subscriberConnected,
				0);
	}

	@Override
	public Mono<Void> publish(List<PublishItem> items) {
		return Mono.defer(() -> {
			StatefulRedisConnection<String, byte[]> connection = this.publisher;
			if (connection == null || !isAvailable()) {
				return Mono.error(publishFailed(new BusUnavailableException("Redis bus is not connected")));
			}
			long publishedAtMillis = System.currentTimeMillis();
			List<byte[]> messages = new ArrayList<>(items.size());
			for (PublishItem item : items) {
				messages.add(BusCodec.encode(item, publishedAtMillis));
			}
			// One connection pipelines the commands, so Redis receives them in this order.
			RedisAsyncCommands<String, byte[]> commands = connection.async();
			CompletableFuture<?>[] acks = new CompletableFuture<?>[items.size()];
			for (int i = 0; i < acks.length; i++) {
				acks[i] = commands.publish(redisChannel(items.get(i).channel()), messages.get(i)).toCompletableFuture();
			}
			return Mono.fromCompletionStage(CompletableFuture.allOf(acks));
		})
			.doOnSuccess((ignored) -> this.publishFailing.set(false))
			.onErrorMap((ex) -> !(ex instanceof BusUnavailableException),
					(ex) -> publishFailed(new BusUnavailableException("Redis did not accept the publish: " + unwrap(ex),
							unwrap(ex))))
			.then();
	}

	@Override
	public void subscribe(String channel) {
		this.subscriptions.subscribe(channel);
	}

	@Override
	public void unsubscribe(String channel) {
		this.subscriptions.unsubscribe(channel);
	}

	@Override
	public boolean isAvailable() {
		StatefulRedisConnection<String, byte[]> publisher = this.publisher;
		StatefulRedisPubSubConnection<String, byte[]> subscriber = this.subscriber;
		return !this.closed && publisher != null && publisher.isOpen() && subscriber != null && subscriber.isOpen()
				&& !isDeliveryStopped();
	}

	@Override
	public boolean isDeliveryStopped() {
		DeliveryLoop deliveries = this.deliveries;
		return !this.closed && deliveries != null && !deliveries.isRunning();
	}

	@Override
	public long deliveryFailureCount() {
		DeliveryLoop deliveries = this.deliveries;
		return (deliveries != null) ? deliveries.failures() : 0;
	}

	@Override
	public long deliveryRestartCount() {
		DeliveryLoop deliveries = this.deliveries;
		return (deliveries != null) ? deliveries.restarts() : 0;
	}

	/** Messages received from Redis, malformed ones included. */
	@Override
	public long receivedCount() {
		return this.received.get();
	}

	/** Messages that could not be decoded and were skipped. */
	@Override
	public long malformedCount() {
		return this.malformed.get();
	}

	/** Messages dropped because the delivery queue was full. */
	@Override
	public long droppedCount() {
		DeliveryLoop deliveries = this.deliveries;
		return (deliveries != null) ? deliveries.dropped() : 0;
	}

	/** Times a connection to Redis was re-established after it had been up. */
	@Override
	public long reconnectCount() {
		return this.reconnects.get();
	}

	/** Channels this node keeps subscribed: with local subscribers or lingering. */
	int subscribedChannelCount() {
		return this.subscriptions.subscribedCount();
	}

	@Override
	public long subscribedChannels() {
		return subscribedChannelCount();
	}

	@Override
	public long pendingDeliveries() {
		DeliveryLoop deliveries = this.deliveries;
		return (deliveries != null) ? deliveries.pending() : 0;
	}

	@Override
	public void close() {
		this.closed = true;
		this.scheduler.shutdownNow();
		DeliveryLoop deliveries = this.deliveries;
		if (deliveries != null) {
			deliveries.close();
		}
		// closes both connections; the resources (event loops) are ours, so they go too
		long timeoutMillis = this.settings.commandTimeout().toMillis();
		this.client.shutdown(0, timeoutMillis, TimeUnit.MILLISECONDS);
		this.resources.shutdown(0, timeoutMillis, TimeUnit.MILLISECONDS).awaitUninterruptibly(2 * timeoutMillis);
	}

	private String redisChannel(String channel) {
		return this.settings.channelPrefix() + channel;
	}

	/**
	 * Connects, retrying with backoff until it succeeds: Lettuce reconnects a connection that was once up, but does
	 * not retry a first connection that failed.
	 */
	private <C extends StatefulConnection<String, byte[]>> void connect(String role,
			Supplier<CompletionStage<C>> connector, Consumer<C> onConnected, int attempt) {
		if (this.closed) {
			return;
		}
		connector.get().whenComplete((connection, error) -> {
			if (error == null) {
				if (this.closed) {
					connection.closeAsync();
					return;
				}
				logger.info("Redis bus " + role + " connection up (" + this.settings.url() + ")");
				connection.addListener(new ReconnectListener(role));
				onConnected.accept(connection);
				return;
			}
			if (attempt == 0) {
				logger.warn("Redis bus " + role + " connection failed (" + this.settings.url()
						+ "), bus unavailable, retrying: " + unwrap(error));
			}
			long delay = Math.min(MAX_RECONNECT_DELAY.toMillis(), 10L << Math.min(attempt, 10));
			try {
				this.scheduler.schedule(() -> connect(role, connector, onConnected, attempt + 1), delay,
						TimeUnit.MILLISECONDS);
			}
			catch (RejectedExecutionException ex) {
				// closed meanwhile
			}
		});
	}

	private void publisherConnected(StatefulRedisConnection<String, byte[]> connection) {
		this.publisher = connection;
	}

	private void subscriberConnected(StatefulRedisPubSubConnection<String, byte[]> connection) {
		connection.addListener(new MessageListener());
		this.subscriber = connection;
		this.subscriptions.flushNow();
		// connections may have been held while Redis was out of reach, and missed what other nodes published
		reportGapSoon(null);
	}

	/**
	 * Tells the receiver of a gap once the subscriptions are renewed: the SUBSCRIBE commands go out as the connection
	 * comes up, and reach Redis long before a recovery's request reaches an origin; the short delay only keeps the
	 * recovery behind them.
	 */
	private void reportGapSoon(@Nullable Set<String> channels) {
		this.gaps.incrementAndGet();
		try {
			this.scheduler.schedule(() -> this.receiver.gap(channels), GAP_DELAY.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closing: nobody is left to recover
		}
	}

	@Override
	public long gapCount() {
		return this.gaps.get();
	}

	private BusUnavailableException publishFailed(BusUnavailableException ex) {
		if (this.publishFailing.compareAndSet(false, true)) {
			logger.error("Redis bus rejects publishes (fail-closed, publishers get 503) until Redis is back: "
					+ ex.getMessage());
		}
		return ex;
	}

	private static Throwable unwrap(Throwable error) {
		return (error instanceof CompletionException && error.getCause() != null) ? error.getCause() : error;
	}

	/** Decodes on the I/O thread (cheap) and hands off to the delivery thread. */
	private final class MessageListener extends RedisPubSubAdapter<String, byte[]> {

		@Override
		public void message(String channel, byte[] message) {
			received.incrementAndGet();
			BusCodec.Message decoded;
			try {
				decoded = BusCodec.decode(message);
			}
			catch (MalformedBusMessageException ex) {
				long count = malformed.incrementAndGet();
				if (DeliveryLoop.shouldLog(count)) {
					logger.warn("Skipped a malformed message on Redis channel '" + channel + "' (" + count
							+ " so far): " + ex.getMessage());
				}
				String prefix = RedisMessageBus.this.settings.channelPrefix();
				reportGapSoon(channel.startsWith(prefix) ? Set.of(channel.substring(prefix.length())) : null);
				return;
			}
			DeliveryLoop deliveries = RedisMessageBus.this.deliveries;
			if (deliveries != null) {
				deliveries.offer(decoded);
			}
		}

	}

	/** Sends batched interest changes on the pub/sub connection, with the channel prefix. */
	private final class PubSubSender implements SubscriptionBatcher.Sender {

		@Override
		public boolean isReady() {
			StatefulRedisPubSubConnection<String, byte[]> connection = subscriber;
			return connection != null && connection.isOpen();
		}

		@Override
		public CompletionStage<?> subscribe(Set<String> channels) {
			return connection().async().subscribe(redisChannels(channels));
		}

		@Override
		public CompletionStage<?> unsubscribe(Set<String> channels) {
			return connection().async().unsubscribe(redisChannels(channels));
		}

		private StatefulRedisPubSubConnection<String, byte[]> connection() {
			return Objects.requireNonNull(subscriber, "isReady() was checked");
		}

		private String[] redisChannels(Set<String> channels) {
			return channels.stream().map(RedisMessageBus.this::redisChannel).toArray(String[]::new);
		}

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
			logger.info("Redis bus " + this.role + " connection re-established");
			if (connection instanceof StatefulRedisPubSubConnection) {
				subscriptions.flushNow();
				reportGapSoon(null);
			}
		}

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			if (!closed) {
				logger.warn("Redis bus " + this.role + " connection lost; publishes fail until it is back");
			}
		}

	}

}
