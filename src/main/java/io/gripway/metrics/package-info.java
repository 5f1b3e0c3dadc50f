/**
 * Gripway's Micrometer meters, exported at {@code /actuator/prometheus} on the management port: the names in
 * {@link io.gripway.metrics.MeterNames}, and the listeners and binders that feed them from the hold registry, the
 * publish API, the bus and the gateway. Tags are bounded: never a channel name, connection id or URL path.
 */
@NullMarked
package io.gripway.metrics;

import org.jspecify.annotations.NullMarked;
