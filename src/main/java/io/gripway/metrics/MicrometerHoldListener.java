package io.gripway.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.gripway.hold.DropReason;
import io.gripway.hold.Transport;
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

	private final Map<Transport, Counter> started = new EnumMap<>(Transport.class);

	private final Map<Transport, Map<HoldOutcome, Counter>> ended = new EnumMap<>(Transport.class);

	private final Map<Transport, Counter> refusedLimit = new EnumMap<>(Transport.class);

	private final Map<Transport, Counter> refusedDraining = new EnumMap<>(Transport.class);

	private final Map<Transport, Counter> delivered = new EnumMap<>(Transport.class);

	private final Map<Transport, Timer> latency = new EnumMap<>(Transport.class);

	private final Map<Transport, Counter> overflows = new EnumMap<>(Transport.class);

	private final Map<Transport, Map<DropReason, Counter>> dropped = new EnumMap<>(Transport.class);

	private final Map<Transport, Map<RecoveryCause, Counter>> recoveries = new EnumMap<>(Transport.class);

	private final Map<Transport, Map<RecoveryCause, Counter>> recovered = new EnumMap<>(Transport.class);

	private final Map<Transport, Map<RecoveryCause, Counter>> unrecovered = new EnumMap<>(Transport.class);

	private final Map<Transport, Counter> replayed = new EnumMap<>(Transport.class);

	private final Map<Transport, Counter> replayFallbacks = new EnumMap<>(Transport.class);

	MicrometerHoldListener(MeterRegistry registry) {
		for (Transport kind : Transport.values()) {
			String mode = kind.tag();
			this.started.put(kind, registry.counter(MeterNames.HOLDS_STARTED, MeterNames.MODE, mode));
			this.ended.put(kind, countersByTag(registry, MeterNames.HOLDS_ENDED, mode, MeterNames.OUTCOME,
					HoldOutcome.class, HoldOutcome::tag));
			this.refusedLimit.put(kind, refused(registry, mode, HoldRegistry.REFUSED_LIMIT));
			this.refusedDraining.put(kind, refused(registry, mode, HoldRegistry.REFUSED_DRAINING));
			String format = MeterNames.format(kind);
			this.delivered.put(kind, registry.counter(MeterNames.MESSAGES_DELIVERED, MeterNames.FORMAT, format));
			this.latency.put(kind, Timer.builder(MeterNames.DELIVERY_LATENCY)
				.description("Publish API receipt, on any node, to the message handed to the client's connection")
				.tag(MeterNames.FORMAT, format)
				.publishPercentileHistogram()
				.minimumExpectedValue(Duration.ofMillis(1))
				.maximumExpectedValue(Duration.ofSeconds(30))
				.register(registry));
			this.overflows.put(kind, registry.counter(MeterNames.QUEUE_OVERFLOWS, MeterNames.MODE, mode));
			this.dropped.put(kind, countersByTag(registry, MeterNames.MESSAGES_DROPPED, mode, MeterNames.REASON,
					DropReason.class, DropReason::tag));
			this.recoveries.put(kind, countersByTag(registry, MeterNames.RECOVERIES_STARTED, mode, MeterNames.CAUSE,
					RecoveryCause.class, RecoveryCause::tag));
			this.recovered.put(kind, recoveryOutcomes(registry, mode, "succeeded"));
			this.unrecovered.put(kind, recoveryOutcomes(registry, mode, "failed"));
			this.replayed.put(kind, registry.counter(MeterNames.HISTORY_REPLAYED, MeterNames.MODE, mode));
			this.replayFallbacks.put(kind, registry.counter(MeterNames.HISTORY_FALLBACKS, MeterNames.MODE, mode));
		}
	}

	private static Map<RecoveryCause, Counter> recoveryOutcomes(MeterRegistry registry, String mode, String outcome) {
		Map<RecoveryCause, Counter> counters = new EnumMap<>(RecoveryCause.class);
		for (RecoveryCause cause : RecoveryCause.values()) {
			counters.put(cause, registry.counter(MeterNames.RECOVERIES_ENDED, MeterNames.MODE, mode,
					MeterNames.CAUSE, cause.tag(), MeterNames.OUTCOME, outcome));
		}
		return counters;
	}

	/** One counter of {@code name} for {@code mode} per constant of {@code type}, tagged {@code key=tag(constant)}. */
	private static <E extends Enum<E>> Map<E, Counter> countersByTag(MeterRegistry registry, String name, String mode,
			String key, Class<E> type, Function<E, String> tag) {
		Map<E, Counter> counters = new EnumMap<>(type);
		for (E constant : type.getEnumConstants()) {
			counters.put(constant, registry.counter(name, MeterNames.MODE, mode, key, tag.apply(constant)));
		}
		return counters;
	}

	private static Counter refused(MeterRegistry registry, String mode, String reason) {
		return registry.counter(MeterNames.HOLDS_REFUSED, MeterNames.MODE, mode, MeterNames.REASON, reason);
	}

	@Override
	public void started(Transport kind) {
		this.started.get(kind).increment();
	}

	@Override
	public void refused(Transport kind, String reason) {
		// two reasons exist; anything else would be a new one someone forgot to add here, so count it as the limit
		(HoldRegistry.REFUSED_DRAINING.equals(reason) ? this.refusedDraining : this.refusedLimit).get(kind).increment();
	}

	@Override
	public void ended(Transport kind, HoldOutcome outcome) {
		this.ended.get(kind).get(outcome).increment();
	}

	@Override
	public void delivered(Transport kind, long publishedAtMillis) {
		this.delivered.get(kind).increment();
		long elapsed = Math.max(0, System.currentTimeMillis() - publishedAtMillis);
		this.latency.get(kind).record(elapsed, TimeUnit.MILLISECONDS);
	}

	@Override
	public void overflow(Transport kind) {
		this.overflows.get(kind).increment();
	}

	@Override
	public void dropped(Transport kind, DropReason reason) {
		this.dropped.get(kind).get(reason).increment();
	}

	@Override
	public void recoveryStarted(Transport kind, RecoveryCause cause) {
		this.recoveries.get(kind).get(cause).increment();
	}

	@Override
	public void recoveryEnded(Transport kind, RecoveryCause cause, boolean succeeded) {
		(succeeded ? this.recovered : this.unrecovered).get(kind).get(cause).increment();
	}

	@Override
	public void replayed(Transport kind, int items) {
		this.replayed.get(kind).increment(items);
	}

	@Override
	public void replayFellBack(Transport kind) {
		this.replayFallbacks.get(kind).increment();
	}

}
