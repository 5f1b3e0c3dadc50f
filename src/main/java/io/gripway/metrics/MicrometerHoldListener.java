package io.gripway.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.gripway.hold.DropReason;
import io.gripway.hold.HoldKind;
import io.gripway.hold.HoldListener;
import io.gripway.hold.HoldOutcome;
import io.gripway.hold.HoldRegistry;
import io.gripway.hold.RecoveryCause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Counts what happens to held connections. Every meter is created up front, one per tag combination (all bounded by
 * enums), so a scrape shows zeros instead of missing series and the hot path is an array lookup and an add.
 *
 * <h3>Delivery latency</h3> Measured from the publish time stamped by the node whose publish API accepted the item
 * (it travels with the item through the bus) to the moment the hold hands the message to the client's writer: for a
 * long-poll when the published response is handed to the writer, for a stream when the item leaves the connection's
 * queue because the writer asked for it. That is as close to the socket as the reactive chain lets us get without
 * wrapping Netty's channel; it includes cross-replica bus lag and queueing behind a slow client, and excludes only
 * the kernel's send. Clocks of different replicas are compared, so skew shows up too; a negative value counts as 0.
 *
 * <h3>Thread safety</h3> Thread-safe: Micrometer's meters are, and the maps are only read after construction.
 */
final class MicrometerHoldListener implements HoldListener {

	private final Map<HoldKind, Counter> started = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Map<HoldOutcome, Counter>> ended = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Counter> refusedLimit = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Counter> refusedDraining = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Counter> delivered = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Timer> latency = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Counter> overflows = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Map<DropReason, Counter>> dropped = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Map<RecoveryCause, Counter>> recoveries = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Map<RecoveryCause, Counter>> recovered = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Map<RecoveryCause, Counter>> unrecovered = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Counter> replayed = new EnumMap<>(HoldKind.class);

	private final Map<HoldKind, Counter> replayFallbacks = new EnumMap<>(HoldKind.class);

	MicrometerHoldListener(MeterRegistry registry) {
		for (HoldKind kind : HoldKind.values()) {
			String mode = kind.tag();
			this.started.put(kind, registry.counter(GripMetrics.HOLDS_STARTED, GripMetrics.MODE, mode));
			this.ended.put(kind, countersByTag(registry, GripMetrics.HOLDS_ENDED, mode, GripMetrics.OUTCOME,
					HoldOutcome.class, HoldOutcome::tag));
			this.refusedLimit.put(kind, refused(registry, mode, HoldRegistry.REFUSED_LIMIT));
			this.refusedDraining.put(kind, refused(registry, mode, HoldRegistry.REFUSED_DRAINING));
			String format = GripMetrics.format(kind);
			this.delivered.put(kind, registry.counter(GripMetrics.MESSAGES_DELIVERED, GripMetrics.FORMAT, format));
			this.latency.put(kind, Timer.builder(GripMetrics.DELIVERY_LATENCY)
				.description("Publish API receipt, on any node, to the message handed to the client's connection")
				.tag(GripMetrics.FORMAT, format)
				.publishPercentileHistogram()
				.minimumExpectedValue(Duration.ofMillis(1))
				.maximumExpectedValue(Duration.ofSeconds(30))
				.register(registry));
			this.overflows.put(kind, registry.counter(GripMetrics.QUEUE_OVERFLOWS, GripMetrics.MODE, mode));
			this.dropped.put(kind, countersByTag(registry, GripMetrics.MESSAGES_DROPPED, mode, GripMetrics.REASON,
					DropReason.class, DropReason::tag));
			this.recoveries.put(kind, countersByTag(registry, GripMetrics.RECOVERIES_STARTED, mode, GripMetrics.CAUSE,
					RecoveryCause.class, RecoveryCause::tag));
			this.recovered.put(kind, recoveryOutcomes(registry, mode, "succeeded"));
			this.unrecovered.put(kind, recoveryOutcomes(registry, mode, "failed"));
			this.replayed.put(kind, registry.counter(GripMetrics.HISTORY_REPLAYED, GripMetrics.MODE, mode));
			this.replayFallbacks.put(kind, registry.counter(GripMetrics.HISTORY_FALLBACKS, GripMetrics.MODE, mode));
		}
	}

	private static Map<RecoveryCause, Counter> recoveryOutcomes(MeterRegistry registry, String mode, String outcome) {
		Map<RecoveryCause, Counter> counters = new EnumMap<>(RecoveryCause.class);
		for (RecoveryCause cause : RecoveryCause.values()) {
			counters.put(cause, registry.counter(GripMetrics.RECOVERIES_ENDED, GripMetrics.MODE, mode,
					GripMetrics.CAUSE, cause.tag(), GripMetrics.OUTCOME, outcome));
		}
		return counters;
	}

	/** One counter of {@code name} for {@code mode} per constant of {@code type}, tagged {@code key=tag(constant)}. */
	private static <E extends Enum<E>> Map<E, Counter> countersByTag(MeterRegistry registry, String name, String mode,
			String key, Class<E> type, Function<E, String> tag) {
		Map<E, Counter> counters = new EnumMap<>(type);
		for (E constant : type.getEnumConstants()) {
			counters.put(constant, registry.counter(name, GripMetrics.MODE, mode, key, tag.apply(constant)));
		}
		return counters;
	}

	private static Counter refused(MeterRegistry registry, String mode, String reason) {
		return registry.counter(GripMetrics.HOLDS_REFUSED, GripMetrics.MODE, mode, GripMetrics.REASON, reason);
	}

	@Override
	public void started(HoldKind kind) {
		this.started.get(kind).increment();
	}

	@Override
	public void refused(HoldKind kind, String reason) {
		// two reasons exist; anything else would be a new one someone forgot to add here, so count it as the limit
		(HoldRegistry.REFUSED_DRAINING.equals(reason) ? this.refusedDraining : this.refusedLimit).get(kind).increment();
	}

	@Override
	public void ended(HoldKind kind, HoldOutcome outcome) {
		this.ended.get(kind).get(outcome).increment();
	}

	@Override
	public void delivered(HoldKind kind, long publishedAtMillis) {
		this.delivered.get(kind).increment();
		long elapsed = Math.max(0, System.currentTimeMillis() - publishedAtMillis);
		this.latency.get(kind).record(elapsed, TimeUnit.MILLISECONDS);
	}

	@Override
	public void overflow(HoldKind kind) {
		this.overflows.get(kind).increment();
	}

	@Override
	public void dropped(HoldKind kind, DropReason reason) {
		this.dropped.get(kind).get(reason).increment();
	}

	@Override
	public void recoveryStarted(HoldKind kind, RecoveryCause cause) {
		this.recoveries.get(kind).get(cause).increment();
	}

	@Override
	public void recoveryEnded(HoldKind kind, RecoveryCause cause, boolean succeeded) {
		(succeeded ? this.recovered : this.unrecovered).get(kind).get(cause).increment();
	}

	@Override
	public void replayed(HoldKind kind, int items) {
		this.replayed.get(kind).increment(items);
	}

	@Override
	public void replayFellBack(HoldKind kind) {
		this.replayFallbacks.get(kind).increment();
	}

}
