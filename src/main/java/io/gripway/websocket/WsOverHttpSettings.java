package io.gripway.websocket;

import java.time.Duration;

/**
 * The settings of WebSocket handling, from {@code gripway.websocket}.
 *
 * @param defaultMode the mode of routes that do not name one in their {@code gripway-websocket} metadata
 * @param retryBase the wait before the first retry of a failed POST; each further retry waits twice as long
 * @param maxRetries retries of a failed POST before the client is closed with 1011
 * @param queueCapacity frames queued per client before it is closed (1008) as too slow
 * @param maxOriginBody the largest origin answer read (and shown to a rejected client); larger is an error
 * @param maxPendingBytes client messages that may wait while a POST is outstanding before the client is no longer read
 */
public record WsOverHttpSettings(WebSocketMode defaultMode, Duration retryBase, int maxRetries, int queueCapacity,
		long maxOriginBody, long maxPendingBytes) {
}
