package io.gripway.bus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Turns a node's interest changes into few SUBSCRIBE/UNSUBSCRIBE commands. Changes are collected in pending sets and
 * sent together after a short {@linkplain #DEBOUNCE debounce}, so a burst of long-polls arriving at once costs one
 * command, not one per channel. A channel whose last subscriber left stays subscribed for the linger (Pushpin's
 * {@code subscription_linger}); a subscriber arriving in the meantime cancels the unsubscribe, so re-polling clients
 * do not churn subscriptions.
 *
 * <h3>Thread safety</h3> {@link #subscribe} and {@link #unsubscribe} may be called from any thread and only enqueue a
 * task; all state is owned by the one thread of the scheduler, so it needs no locks.
 *
 * <h3>Lifecycle</h3> Commands are sent only while the {@link Sender} is ready; what could not be sent, or failed, stays
 * pending and is sent again on {@link #flushNow()} (called when the connection comes up) or after
 * {@linkplain #RETRY_DELAY a retry delay}. Ends when its scheduler is shut down.
 */
final class SubscriptionBatcher {

	/** How long changes are collected before one command carries them all. */
	static final Duration DEBOUNCE = Duration.ofMillis(10);

	/** How long after a failed command it is sent again, if the connection did not come back first. */
	static final Duration RETRY_DELAY = Duration.ofSeconds(1);

	private static final Log logger = LogFactory.getLog(SubscriptionBatcher.class);

	/** Where batched commands go: the Redis pub/sub connection, with the channel prefix applied. */
	interface Sender {

		boolean isReady();

		CompletionStage<?> subscribe(Set<String> channels);

		CompletionStage<?> unsubscribe(Set<String> channels);

	}

	private final ScheduledExecutorService scheduler;

	private final Sender sender;

	private final Duration linger;

	// The fields below are touched only on the scheduler thread.

	private final Set<String> interested = new HashSet<>();

	private final Map<String, ScheduledFuture<?>> lingering = new HashMap<>();

	private final Set<String> pendingSubscribe = new HashSet<>();

	private final Set<String> pendingUnsubscribe = new HashSet<>();

	// SUBSCRIBEs sent and not yet confirmed
	private final Set<String> subscribing = new HashSet<>();

	// live(channel) callers waiting for the channel's SUBSCRIBE to be confirmed
	private final Map<String, List<CompletableFuture<Void>>> awaitingLive = new HashMap<>();

	private boolean flushScheduled;

	private volatile int subscribedCount;

	SubscriptionBatcher(ScheduledExecutorService scheduler, Sender sender, Duration linger) {
		this.scheduler = scheduler;
		this.sender = sender;
		this.linger = linger;
	}

	void subscribe(String channel) {
		execute(() -> {
			if (!this.interested.add(channel)) {
				return;
			}
			ScheduledFuture<?> unsubscribe = this.lingering.remove(channel);
			if (unsubscribe != null) {
				unsubscribe.cancel(false); // still subscribed in Redis: nothing to send
			}
			else if (!this.pendingUnsubscribe.remove(channel)) {
				this.pendingSubscribe.add(channel);
				scheduleFlush(DEBOUNCE);
			}
			updateCount();
		});
	}

	void unsubscribe(String channel) {
		execute(() -> {
			if (!this.interested.remove(channel)) {
				return;
			}
			if (this.pendingSubscribe.remove(channel)) {
				releaseAwaitingLive(channel); // never subscribed: nobody needs it live any more
			}
			else {
				this.lingering.put(channel, this.scheduler.schedule(() -> lingerExpired(channel),
						this.linger.toMillis(), TimeUnit.MILLISECONDS));
			}
			updateCount();
		});
	}

	/**
	 * Completes once Redis has confirmed this node's SUBSCRIBE to {@code channel}, i.e. from when on everything
	 * published on it reaches this node; at once when no SUBSCRIBE of it is pending or in flight (it is in place, or not
	 * wanted). Ordered behind the {@link #subscribe} calls made before it. Never fails; while Redis is out of reach it
	 * does not complete either, so the caller bounds the wait.
	 */
	CompletableFuture<Void> live(String channel) {
		CompletableFuture<Void> live = new CompletableFuture<>();
		boolean queued = execute(() -> {
			if (this.pendingSubscribe.contains(channel) || this.subscribing.contains(channel)) {
				List<CompletableFuture<Void>> waiting = this.awaitingLive.computeIfAbsent(channel,
						c -> new ArrayList<>());
				// callers that gave up (their wait is bounded, Redis may be out of reach for long) are let go here
				waiting.removeIf(CompletableFuture::isDone);
				waiting.add(live);
			}
			else {
				live.complete(null);
			}
		});
		if (!queued) {
			live.complete(null); // closed: there is nothing to wait for
		}
		return live;
	}

	/** Sends what is pending now, e.g. because the connection has just come up. */
	void flushNow() {
		execute(this::flush);
	}

	/**
	 * Subscribes again, at once, every channel the node wants, whose SUBSCRIBE is not pending, and that {@code lost}
	 * says Redis no longer delivers to this node (its shard's master changed, or the connection carrying it dropped).
	 * Must run on the scheduler thread, as a task of the bus's own.
	 * @return the channels subscribed again
	 */
	Set<String> resubscribeLost(Predicate<String> lost) {
		Set<String> resent = new HashSet<>();
		for (String channel : this.interested) {
			if (lost.test(channel) && this.pendingSubscribe.add(channel)) {
				resent.add(channel);
			}
		}
		for (String channel : this.lingering.keySet()) {
			if (lost.test(channel) && this.pendingSubscribe.add(channel)) {
				resent.add(channel);
			}
		}
		if (!resent.isEmpty()) {
			flush();
		}
		return resent;
	}

	/** Channels the node wants subscribed in Redis: those with subscribers plus those lingering. */
	int subscribedCount() {
		return this.subscribedCount;
	}

	private void lingerExpired(String channel) {
		this.lingering.remove(channel);
		this.pendingUnsubscribe.add(channel);
		scheduleFlush(DEBOUNCE);
		updateCount();
	}

	private void updateCount() {
		this.subscribedCount = this.interested.size() + this.lingering.size();
	}

	private boolean wanted(String channel) {
		return this.interested.contains(channel) || this.lingering.containsKey(channel);
	}

	private void scheduleFlush(Duration delay) {
		if (!this.flushScheduled) {
			this.flushScheduled = true;
			this.scheduler.schedule(this::flush, delay.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private void flush() {
		this.flushScheduled = false;
		if (!this.sender.isReady()) {
			return; // kept pending until flushNow() on connect
		}
		send("SUBSCRIBE", this.pendingSubscribe, this.sender::subscribe, true);
		send("UNSUBSCRIBE", this.pendingUnsubscribe, this.sender::unsubscribe, false);
	}

	/** Sends and clears one pending set; on failure its channels go back to pending. */
	private void send(String command, Set<String> pending, Function<Set<String>, CompletionStage<?>> sending,
			boolean subscribe) {
		if (pending.isEmpty()) {
			return;
		}
		Set<String> channels = Set.copyOf(pending);
		pending.clear();
		if (subscribe) {
			this.subscribing.addAll(channels);
		}
		sending.apply(channels).whenComplete((ok, error) -> {
			if (error != null) {
				execute(() -> {
					this.subscribing.removeAll(channels);
					retry(command, channels, pending, subscribe, error);
				});
			}
			else if (subscribe) {
				execute(() -> confirmed(channels));
			}
		});
	}

	/** Redis confirmed a SUBSCRIBE: whoever waits for one of its channels to be live may go on. */
	private void confirmed(Set<String> channels) {
		this.subscribing.removeAll(channels);
		for (String channel : channels) {
			if (!this.pendingSubscribe.contains(channel)) {
				releaseAwaitingLive(channel);
			}
		}
	}

	private void releaseAwaitingLive(String channel) {
		List<CompletableFuture<Void>> waiting = this.awaitingLive.remove(channel);
		if (waiting != null) {
			waiting.forEach(live -> live.complete(null));
		}
	}

	/** Requeues the channels whose wanted state has not changed since the failed command. */
	private void retry(String command, Set<String> channels, Set<String> pending, boolean subscribe,
			Throwable error) {
		logger.warn(command + " of " + channels.size() + " channel(s) failed, will retry: " + error);
		for (String channel : channels) {
			if (wanted(channel) == subscribe) {
				pending.add(channel);
			}
			else if (subscribe) {
				releaseAwaitingLive(channel);
			}
		}
		scheduleFlush(RETRY_DELAY);
	}

	/** @return false when the bus is closed: interest no longer matters */
	private boolean execute(Runnable task) {
		try {
			this.scheduler.execute(task);
			return true;
		}
		catch (RejectedExecutionException ex) {
			return false;
		}
	}

}
