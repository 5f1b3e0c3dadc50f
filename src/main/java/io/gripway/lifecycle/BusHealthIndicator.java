package io.gripway.lifecycle;

import io.gripway.bus.BusStats;
import io.gripway.bus.MessageBus;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The bus's health, included in the readiness group: a node whose bus is down cannot deliver publishes, so it should
 * take no new clients that would wait for messages it cannot receive. Not in the liveness group: restarting the node
 * does not bring Redis back.
 *
 * <p>
 * With {@code gripway.health.bus-affects-readiness=false} it reports UP with {@code available=false} in its details,
 * for deployments that prefer to keep serving (origins' immediate responses, long-poll timeouts) through a bus outage.
 *
 * <p>
 * A bus whose delivery thread is gone ({@link BusStats#isDeliveryStopped()}) is DOWN whatever that setting says: the
 * node would hold connections it can never deliver to. The details show the deliveries that failed (and were skipped)
 * and the times the delivery thread had to be replaced, so a bug in delivery shows up here and not only in the log.
 */
public final class BusHealthIndicator implements HealthIndicator {

	private final MessageBus bus;

	private final String type;

	private final boolean affectsReadiness;

	public BusHealthIndicator(MessageBus bus, String type, boolean affectsReadiness) {
		this.bus = bus;
		this.type = type;
		this.affectsReadiness = affectsReadiness;
	}

	@Override
	public Health health() {
		boolean available = this.bus.isAvailable();
		BusStats stats = (this.bus instanceof BusStats busStats) ? busStats : null;
		boolean deliveryStopped = stats != null && stats.isDeliveryStopped();
		Health.Builder health = (!deliveryStopped && (available || !this.affectsReadiness)) ? Health.up()
				: Health.down();
		health.withDetail("type", this.type).withDetail("available", available);
		if (stats != null) {
			health.withDetail("deliveryStopped", deliveryStopped)
				.withDetail("deliveryFailures", stats.deliveryFailureCount())
				.withDetail("deliveryRestarts", stats.deliveryRestartCount())
				.withDetail("subscribedChannels", stats.subscribedChannels())
				.withDetail("reconnects", stats.reconnectCount())
				.withDetail("pendingDeliveries", stats.pendingDeliveries());
		}
		return health.build();
	}

}
