package io.gripway.websocket;

import java.time.Duration;

/**
 * The settings of WebSocket handling, from {@code gripway.websocket}.
 *
 * @param defaultMode the mode of routes that do not name one in their {@code gripway-websocket} metadata
 * @param retryBase the wait before the first retry of a failed POST; each further retry waits about twice as long
 * (jittered by {@link WsOverHttpSession#RETRY_JITTER})
 * @param maxRetries retries of a failed POST before the client is closed with 1011
 * @param queueCapacity frames queued per client before it is closed (1008) as too slow
 * @param maxOriginBody the largest origin answer read (and shown to a rejected client); larger is an error
 * @param maxPendingBytes client messages that may wait while a POST is outstanding before the client is no longer read
 * @param maxBackoff the longest wait before a retry, however many came before
 */
public record WsOverHttpSettings(WebSocketMode defaultMode, Duration retryBase, int maxRetries, int queueCapacity,
		long maxOriginBody, long maxPendingBytes, Duration maxBackoff) {

	/**
	 * The cap on a retry's wait when none is given: above the longest wait of the default settings (1 s doubled four
	 * times), so it only bounds a configuration with many retries, whose doubling would otherwise run to days.
	 */
	public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

	/** With the {@link #DEFAULT_MAX_BACKOFF}. */
	public WsOverHttpSettings(WebSocketMode defaultMode, Duration retryBase, int maxRetries, int queueCapacity,
			long maxOriginBody, long maxPendingBytes) {
		this(defaultMode, retryBase, maxRetries, queueCapacity, maxOriginBody, maxPendingBytes, DEFAULT_MAX_BACKOFF);
	}

}
