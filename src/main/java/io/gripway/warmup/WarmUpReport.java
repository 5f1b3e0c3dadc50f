package io.gripway.warmup;

import java.time.Duration;

/**
 * What a warm-up did.
 *
 * @param requests requests made
 * @param longPolls long-polls held and answered by a publish
 * @param streams SSE streams held, sent a published event and closed by a publish
 * @param plain plain requests answered
 * @param took from the warm-up's first request to the end of its last round
 */
public record WarmUpReport(int requests, int longPolls, int streams, int plain, Duration took) {

	/** Every request that went through as it should. */
	public int completed() {
		return this.longPolls + this.streams + this.plain;
	}

}
