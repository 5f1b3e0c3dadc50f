package io.gripway.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gripway.health.*}: what the readiness probe reports. Bound on its own, beside {@link GripwayProperties}, while
 * other branches extend that record; fold it in as a nested group when they have merged.
 *
 * @param busAffectsReadiness a bus that cannot relay publishes makes the node not ready (the bus health is DOWN)
 */
@ConfigurationProperties("gripway.health")
public record HealthProperties(@DefaultValue("true") boolean busAffectsReadiness) {
}
