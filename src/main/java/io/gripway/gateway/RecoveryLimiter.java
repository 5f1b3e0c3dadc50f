package io.gripway.gateway;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Spreads recoveries over time so that a reconnect storm, a {@code /recover} or a gap on the bus does not send every
 * held connection to the origin at once (Pushpin's update limiter). Recoveries are grouped by key (the link or URI
 * they fetch) into batches of at most {@code batchSize}, and {@code batchesPerSecond} batches are let through each
 * second, oldest first: a thousand streams on one next link cost the origin ten seconds at most, and, since identical
 * fetches are collapsed, far fewer requests than connections.
 *
 * <h3>Thread safety</h3> {@link #admit} may be called from any thread; the batches are guarded by this object's
 * monitor and let through by one timer task.
 */
final class RecoveryLimiter {

	private static final class Batch {

		final String key;

		final List<MonoSink<Void>> waiting = new ArrayList<>();

		Batch(String key) {
			this.key = key;
		}

	}

	private final Scheduler timer;

	private final long periodNanos;

	private final int batchSize;

	// guarded by this
	private final ArrayDeque<Batch> batches = new ArrayDeque<>();

	private @Nullable Disposable ticking;

	/**
	 * @param batchesPerSecond batches let through per second
	 * @param batchSize recoveries of one key let through together
	 */
	RecoveryLimiter(Scheduler timer, int batchesPerSecond, int batchSize) {
		if (batchesPerSecond < 1 || batchSize < 1) {
			throw new IllegalArgumentException("batchesPerSecond and batchSize must be at least 1");
		}
		this.timer = Objects.requireNonNull(timer, "timer");
		this.periodNanos = Duration.ofSeconds(1).toNanos() / batchesPerSecond;
		this.batchSize = batchSize;
	}

	/** Completes when the recovery keyed {@code key} may go; cancelling gives up its place. */
	Mono<Void> admit(String key) {
		return Mono.create(sink -> {
			synchronized (this) {
				// join the newest batch of the same key if it has room, as Pushpin's limiter does with its last action
				Batch same = null;
				for (Batch candidate : this.batches) {
					if (candidate.key.equals(key)) {
						same = candidate;
					}
				}
				if (same == null || same.waiting.size() >= this.batchSize) {
					same = new Batch(key);
					this.batches.addLast(same);
				}
				same.waiting.add(sink);
				Batch joined = same;
				sink.onCancel(() -> {
					synchronized (this) {
						joined.waiting.remove(sink);
					}
				});
				if (this.ticking == null) {
					// an idle limiter lets the first batch go at once; the ones behind it wait their turn
					this.ticking = this.timer.schedulePeriodically(this::tick, 0, this.periodNanos,
							TimeUnit.NANOSECONDS);
				}
			}
		});
	}

	/** Recoveries waiting now. */
	synchronized int waiting() {
		int count = 0;
		for (Batch batch : this.batches) {
			count += batch.waiting.size();
		}
		return count;
	}

	private void tick() {
		List<MonoSink<Void>> go;
		synchronized (this) {
			Batch batch = this.batches.pollFirst();
			while (batch != null && batch.waiting.isEmpty()) {
				batch = this.batches.pollFirst();
			}
			if (batch == null) {
				if (this.ticking != null) {
					this.ticking.dispose();
					this.ticking = null;
				}
				return;
			}
			go = List.copyOf(batch.waiting);
		}
		go.forEach(MonoSink::success);
	}

}
