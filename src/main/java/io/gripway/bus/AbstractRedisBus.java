package io.gripway.bus;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

import io.gripway.history.ChannelHistory;
import io.gripway.history.HistorySettings;
import io.gripway.publish.PublishItem;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What the standalone ({@link RedisMessageBus}) and the cluster ({@link RedisClusterMessageBus}) Redis buses share:
 * fail-closed publishing, connecting with retries, decoding on the I/O thread and handing off to one
 * {@link DeliveryLoop}, batched interest changes ({@link SubscriptionBatcher}), gap reports and counters. A subclass
 * supplies the Lettuce client and connections, the publish command ({@code PUBLISH} or {@code SPUBLISH}) and the
 * {@link SubscriptionBatcher.Sender}.
 *
 * <h3>Fail-closed</h3> When the bus cannot reach Redis, {@link #publish} fails at once with
 * {@link BusUnavailableException} (the publish API answers 503) and nothing is delivered, not even locally: a
 * publisher that got 200 may rely on every node having the message, and local-only delivery would make nodes diverge
 * silently. Commands are never queued while disconnected ({@code REJECT_COMMANDS}) and a command waits at most
 * {@link RedisBusSettings#commandTimeout()}. A publish in flight when its connection breaks fails, and the replay filter
 * makes sure Lettuce never sends it again after reconnecting: that would deliver a message whose publisher was told it
 * was rejected. The first failure of an outage is logged at error level; later ones only reach the publisher.
 *
 * <h3>Gaps</h3> Redis pub/sub is at-most-once: what is published while a subscription is not in place never reaches
 * this node. Subclasses call {@link #reportGapSoon} whenever a subscription comes back (reconnect, failover, slot
 * move), and this class does when a message is unreadable; the receiver then recovers those channels' connections from
 * their origins.
 *
 * <h3>Thread safety</h3> All public methods may be called from any thread, event loops included; none blocks on
 * Redis. Messages are decoded on Lettuce's I/O threads and handed to one delivery thread. Connection attempts,
 * subscription batching and gap reports run on one scheduler thread ({@link #scheduler}). The {@code Mono} of
 * {@link #publish} completes on a Lettuce I/O thread: whoever subscribes to it must not block there.
 *
 * <h3>Lifecycle</h3> The constructor does no I/O; {@link #start} connects in the background (a Redis unreachable at
 * start-up leaves the bus unavailable and retrying) and {@link #close} disconnects and stops the bus's threads. The
 * Lettuce client and its {@link ClientResources} belong to each bus.
 */
abstract class AbstractRedisBus implements MessageBus, BusStats, AutoCloseable {

	/** How long after a subscription is back its connections start recovering. */
	static final Duration GAP_DELAY = Duration.ofMillis(100);

	/** Upper bound of the delay between connection attempts, at start-up and after an outage. */
	static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

	static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

	private static final Log logger = LogFactory.getLog(AbstractRedisBus.class);

	protected final RedisBusSettings settings;

	protected final ClientResources resources;

	/** Connection attempts, debounced subscription changes, linger timers, gap reports: all on this one thread. */
	protected final ScheduledExecutorService scheduler;

	protected final SubscriptionBatcher subscriptions;

	private final String name;

	private final AtomicLong received = new AtomicLong();

	private final AtomicLong malformed = new AtomicLong();

	protected final AtomicLong reconnects = new AtomicLong();

	private final AtomicLong gaps = new AtomicLong();

	private final AtomicBoolean publishFailing = new AtomicBoolean();

	private volatile BusReceiver receiver = (item, publishedAtMillis) -> {
	};

	private volatile @Nullable DeliveryLoop deliveries;

	protected volatile boolean closed;

	/** @param name how logs and thread names call this bus, e.g. {@code redis} */
	AbstractRedisBus(RedisBusSettings settings, String name) {
		this.settings = settings;
		// outside the prefix's namespace, so a PUBSUB CHANNELS <prefix>* lists GRIP channels only; still carrying the
		// prefix, so deployments sharing one Redis do not recover each other
		this.recoverRedisChannel = RECOVER_CHANNEL + settings.channelPrefix();
		this.name = name;
		this.resources = ClientResources.builder()
			.ioThreadPoolSize(2)
			.computationThreadPoolSize(2)
			.reconnectDelay(Delay.exponential(Duration.ZERO, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
			.build();
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "gripway-bus-" + name);
			thread.setDaemon(true);
			return thread;
		});
		this.subscriptions = new SubscriptionBatcher(this.scheduler, new Sender(),
				settings.subscriptionLinger());
	}

	/**
	 * Applies the options both buses need to {@code builder} (a {@code ClientOptions} or {@code ClusterClientOptions}
	 * builder) and returns it: reconnect on its own, reject commands while disconnected, never replay a publish, and
	 * bound every command and connection attempt by the command timeout.
	 */
	static <B extends ClientOptions.Builder> B failClosedOptions(B builder, RedisBusSettings settings) {
		builder.autoReconnect(true)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			// never re-send a publish whose publisher may already have been answered 503
			.replayFilter((command) -> command.getType() == CommandType.PUBLISH
					|| command.getType() == CommandType.SPUBLISH || command.getType() == CommandType.EVAL)
			.timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
			.socketOptions(
					SocketOptions.builder().connectTimeout(settings.commandTimeout()).keepAlive(true).build());
		return builder;
	}

	/** Opens the connections in the background, each with {@link #connect}. Called once, from {@link #start}. */
	protected abstract void connectAll();

	/** Whether the connections that publish and subscribe are open. */
	protected abstract boolean connected();

	/**
	 * Sends one publish of {@code message} on {@code redisChannel}, pipelined behind the ones sent before on the same
	 * channel; or returns {@code null} when not connected.
	 */
	protected abstract @Nullable CompletionStage<?> send(String redisChannel, byte[] message);

	/** Whether the connection that subscribes is open, so batched interest changes can be sent. */
	protected abstract boolean subscriberReady();

	/** Subscribes to {@code channels} (GRIP names); completes when Redis confirmed, fails if it did not. */
	protected abstract CompletionStage<?> sendSubscribe(Set<String> channels);

	/** Unsubscribes from {@code channels} (GRIP names). */
	protected abstract CompletionStage<?> sendUnsubscribe(Set<String> channels);

	/** The Lettuce client, shut down on {@link #close}. */
	protected abstract AbstractRedisClient client();

	@Override
	public void start(BusReceiver receiver) {
		if (this.deliveries != null) {
			throw new IllegalStateException("already started");
		}
		this.receiver = receiver;
		this.deliveries = new DeliveryLoop(receiver, this.settings.deliveryQueueCapacity(), "gripway-bus-delivery");
		// every node listens for recover requests, whatever channels it holds
		this.subscriptions.subscribe(RECOVER_CHANNEL);
		connectAll();
	}

	/**
	 * The bus channel {@code /recover} requests travel on: a name no GRIP channel has (it starts with NUL, which a
	 * publisher cannot send through the publish API's JSON by accident), with a payload no message has.
	 */
	static final String RECOVER_CHANNEL = "\u0000recover";

	private final String recoverRedisChannel;

	private static final byte[] RECOVER_REQUEST = "recover".getBytes(StandardCharsets.US_ASCII);

	/**
	 * Publishes a recover request that every node, this one included, acts on when it comes back from Redis. When it
	 * cannot be sent (Redis is out of reach), this node recovers at once: its connections at least go back to their
	 * origins, and the other nodes recover by themselves once their subscriptions are back (a gap).
	 */
	@Override
	public void recover() {
		CompletionStage<?> sent = isAvailable() ? send(redisChannel(RECOVER_CHANNEL), RECOVER_REQUEST) : null;
		if (sent == null) {
			this.receiver.recover();
			return;
		}
		sent.whenComplete((ignored, error) -> {
			if (error != null) {
				logger.warn("Recover request not relayed through Redis (" + unwrap(error) + "); recovering this node");
				this.receiver.recover();
			}
		});
	}

	/** The field of a history stream entry that holds the encoded message. */
	static final String HISTORY_FIELD = "m";

	/**
	 * Appends a message to its channel's history and publishes it, in one atomic step. KEYS[1]: the history stream;
	 * ARGV: the publish command ({@code PUBLISH} or {@code SPUBLISH}), the Redis channel, the message, the items kept,
	 * the expiry in ms.
	 */
	static final String KEEP_AND_PUBLISH = "redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[4], '*', '" + HISTORY_FIELD
			+ "', ARGV[3]) redis.call('PEXPIRE', KEYS[1], ARGV[5]) return redis.call(ARGV[1], ARGV[2], ARGV[3])";

	private volatile @Nullable RedisHistory history;

	@Override
	public ChannelHistory keepHistory(HistorySettings settings) {
		RedisHistory kept = new RedisHistory(this, settings);
		this.history = kept;
		return kept;
	}

	/**
	 * Runs {@link #KEEP_AND_PUBLISH} for one message, pipelined like {@link #send}.
	 * @return the command's completion, or {@code null} when not connected
	 */
	protected abstract @Nullable CompletionStage<?> sendKept(String historyKey, String redisChannel, byte[] message,
			HistorySettings settings);

	/** Reads a history stream whole (it holds at most the history size), or {@code null} when not connected. */
	protected abstract @Nullable CompletionStage<List<StreamMessage<String, byte[]>>> readKept(String historyKey);

	/** The arguments of {@link #KEEP_AND_PUBLISH} after the publish command. */
	static byte[][] keepArguments(String command, String redisChannel, byte[] message, HistorySettings settings) {
		return new byte[][] { command.getBytes(StandardCharsets.US_ASCII), redisChannel.getBytes(StandardCharsets.UTF_8),
				message, Integer.toString(settings.size()).getBytes(StandardCharsets.US_ASCII),
				Long.toString(settings.ttl().toMillis()).getBytes(StandardCharsets.US_ASCII) };
	}

	@Override
	public Mono<Void> publish(List<PublishItem> items) {
		return Mono.defer(() -> {
			if (!isAvailable()) {
				return Mono.error(publishFailed(new BusUnavailableException("Redis bus is not connected")));
			}
			long publishedAtMillis = System.currentTimeMillis();
			List<byte[]> messages = new ArrayList<>(items.size());
			for (PublishItem item : items) {
				messages.add(BusCodec.encode(item, publishedAtMillis));
			}
			CompletableFuture<?>[] acks = new CompletableFuture<?>[items.size()];
			for (int i = 0; i < acks.length; i++) {
				PublishItem item = items.get(i);
				RedisHistory kept = this.history;
				String redisChannel = redisChannel(item.channel());
				CompletionStage<?> ack = (kept != null && kept.keeps(item))
						? sendKept(RedisHistory.key(redisChannel), redisChannel, messages.get(i), kept.settings())
						: send(redisChannel, messages.get(i));
				if (ack == null) {
					return Mono.error(publishFailed(new BusUnavailableException("Redis bus is not connected")));
				}
				acks[i] = ack.toCompletableFuture();
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

	/**
	 * Completes once this node receives what is published on {@code channel} (GRIP name): its SUBSCRIBE is confirmed,
	 * or was long before; or after the command timeout, when Redis is out of reach. History read after this misses
	 * nothing that live delivery does not bring.
	 */
	final Mono<Void> live(String channel) {
		// a wait that times out cancels its future, which the batcher then lets go
		return Mono.fromFuture(this.subscriptions.live(channel), false)
			.timeout(this.settings.commandTimeout(), Mono.empty());
	}

	@Override
	public boolean isAvailable() {
		// a delivery thread that is gone would take publishes this node can no longer deliver
		return !this.closed && connected() && !isDeliveryStopped();
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

	@Override
	public long gapCount() {
		return this.gaps.get();
	}

	/** Channels this node keeps subscribed: with local subscribers or lingering. */
	int subscribedChannelCount() {
		// GRIP channels only: the recover channel is always there
		return Math.max(0, this.subscriptions.subscribedCount() - 1);
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
		// closes every connection; the resources (event loops) are ours, so they go too
		long timeoutMillis = this.settings.commandTimeout().toMillis();
		client().shutdown(0, timeoutMillis, TimeUnit.MILLISECONDS);
		this.resources.shutdown(0, timeoutMillis, TimeUnit.MILLISECONDS).awaitUninterruptibly(2 * timeoutMillis);
	}

	final String redisChannel(String channel) {
		return RECOVER_CHANNEL.equals(channel) ? this.recoverRedisChannel : this.settings.channelPrefix() + channel;
	}

	/** The GRIP channel a Redis channel carries, or {@code null} when it does not carry one. */
	final @Nullable String gripChannel(String redisChannel) {
		if (redisChannel.equals(this.recoverRedisChannel)) {
			return RECOVER_CHANNEL;
		}
		String prefix = this.settings.channelPrefix();
		return redisChannel.startsWith(prefix) ? redisChannel.substring(prefix.length()) : null;
	}

	final String[] redisChannels(Set<String> channels) {
		return channels.stream().map(this::redisChannel).toArray(String[]::new);
	}

	/**
	 * Connects, retrying with backoff until it succeeds: Lettuce reconnects a connection that was once up, but does
	 * not retry a first connection that failed.
	 */
	final <C extends StatefulConnection<String, byte[]>> void connect(String role,
			Supplier<CompletionStage<C>> connector, Consumer<C> onConnected) {
		connect(role, connector, onConnected, 0);
	}

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

	/**
	 * Tells the receiver of a gap on {@code channels} ({@code null}: any) once the subscriptions are renewed: the
	 * subscribe commands go out first and reach Redis long before a recovery's request reaches an origin; the short
	 * delay only keeps the recovery behind them.
	 */
	final void reportGapSoon(@Nullable Set<String> channels) {
		this.gaps.incrementAndGet();
		try {
			this.scheduler.schedule(() -> this.receiver.gap(channels), GAP_DELAY.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closing: nobody is left to recover
		}
	}

	/**
	 * After the subscribe connection first came up: a gap on every channel, as after a reconnect, but only if this
	 * node already wanted channels, i.e. held connections while Redis was out of reach. At an ordinary start-up it holds
	 * none yet; the first clients to arrive (within {@link #GAP_DELAY}) must not be sent back to their origins for
	 * nothing. Checked on the scheduler thread, behind the interest changes made before the connection was up.
	 */
	final void reportGapIfHeldBeforeConnected() {
		try {
			this.scheduler.execute(() -> {
				if (subscribedChannelCount() > 0) {
					reportGapSoon(null);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// closing: nobody is left to recover
		}
	}

	/** Decodes a message from Redis on the I/O thread (cheap) and hands it to the delivery thread. */
	final void received(String redisChannel, byte[] message) {
		if (redisChannel.equals(this.recoverRedisChannel) && Arrays.equals(message, RECOVER_REQUEST)) {
			// off the I/O thread: recovering touches every held connection
			try {
				this.scheduler.execute(() -> this.receiver.recover());
			}
			catch (RejectedExecutionException ex) {
				// closing
			}
			return;
		}
		this.received.incrementAndGet();
		BusCodec.Message decoded;
		try {
			decoded = BusCodec.decode(message);
		}
		catch (MalformedBusMessageException ex) {
			long count = this.malformed.incrementAndGet();
			if (DeliveryLoop.shouldLog(count)) {
				logger.warn("Skipped a malformed message on Redis channel '" + redisChannel + "' (" + count
						+ " so far): " + ex.getMessage());
			}
			String channel = gripChannel(redisChannel);
			reportGapSoon((channel != null) ? Set.of(channel) : null);
			return;
		}
		DeliveryLoop deliveries = this.deliveries;
		if (deliveries != null) {
			deliveries.offer(decoded);
		}
	}

	/** Logs a connection lost while the bus is open. */
	final void logDisconnected(String role) {
		if (!this.closed) {
			logger.warn("Redis bus " + role + " connection lost; publishes through it fail until it is back");
		}
	}

	private BusUnavailableException publishFailed(BusUnavailableException ex) {
		if (this.publishFailing.compareAndSet(false, true)) {
			logger.error("Redis bus (" + this.name + ") rejects publishes (fail-closed, publishers get 503) "
					+ "until Redis is back: " + ex.getMessage());
		}
		return ex;
	}

	/** {@link SubscriptionBatcher}'s way to Redis: the subclass's (sharded or not) subscribe commands. */
	private final class Sender implements SubscriptionBatcher.Sender {

		@Override
		public boolean isReady() {
			return subscriberReady();
		}

		@Override
		public CompletionStage<?> subscribe(Set<String> channels) {
			return sendSubscribe(channels);
		}

		@Override
		public CompletionStage<?> unsubscribe(Set<String> channels) {
			return sendUnsubscribe(channels);
		}

	}

	static Throwable unwrap(Throwable error) {
		return (error instanceof CompletionException && error.getCause() != null) ? error.getCause() : error;
	}

}
