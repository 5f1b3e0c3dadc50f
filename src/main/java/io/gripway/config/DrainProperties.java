package io.gripway.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gripway.drain.*}: ending held connections at shutdown. Bound on its own, beside {@link GripwayProperties},
 * while other branches extend that record; fold it in as a nested group when they have merged.
 *
 * @param window the held connections are ended evenly over this long after SIGTERM; the pod's grace period must
 * exceed it (see docs/operations.md)
 * @param flushTimeout after the last connection was told to end, how long to wait for the endings to be written
 */
@ConfigurationProperties("gripway.drain")
public record DrainProperties(@DefaultValue("10s") Duration window, @DefaultValue("5s") Duration flushTimeout) {
}
