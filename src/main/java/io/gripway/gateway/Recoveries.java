package io.gripway.gateway;

import java.time.Duration;

import io.gripway.app.App;
import io.gripway.hold.OriginLinks;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.client.HttpClient;

/**
 * What held connections recover through: next links ({@link NextLinks}), retried long-polls and gone links
 * ({@link OriginRequests}), spread over time by one {@link RecoveryLimiter}; and their counts, for metrics.
 */
public final class Recoveries {

	/**
	 * @param maxRetries retries of a failed next-link request before the stream is ended (Pushpin: 5)
	 * @param retryBase the wait before the first retry; it doubles with each, plus jitter (Pushpin: 1 s)
	 * @param batchesPerSecond recoveries let through per second, in batches (Pushpin: 10)
	 * @param batchSize connections on the same link or URI let through together (Pushpin: 100)
	 * @param maxBody the largest next-link page or retried answer read
	 */
	public record Settings(int maxRetries, Duration retryBase, int batchesPerSecond, int batchSize, long maxBody) {
	}

	private final NextLinks links;

	private final OriginRequests origin;

	private final RecoveryLimiter limiter;

	/**
	 * @param client the gateway's HTTP client, so these requests share its pool and settings; each is signed with
	 * its connection's application's Grip-Sig
	 */
	public Recoveries(HttpClient client, Scheduler timer, Settings settings) {
		this.origin = new OriginRequests(client, settings.maxBody());
		this.limiter = new RecoveryLimiter(timer, settings.batchesPerSecond(), settings.batchSize());
		this.links = new NextLinks(this.origin, this.limiter, settings.maxRetries(), settings.retryBase());
	}

	/** The next links of {@code app}'s streams: signed with its Grip-Sig, pages' channels in its namespace. */
	OriginLinks links(App app) {
		return (link, lastIds, urgent) -> this.links.follow(app, link, lastIds, urgent);
	}

	OriginRequests origin() {
		return this.origin;
	}

	RecoveryLimiter limiter() {
		return this.limiter;
	}

	/** Next-link requests sent, retries included. */
	public long linkFetches() {
		return this.links.fetches();
	}

	/** Retries of failed next-link requests. */
	public long linkRetries() {
		return this.links.retries();
	}

	/** Next-link fetches that shared an identical request in flight. */
	public long collapsedFetches() {
		return this.links.collapsed();
	}

	/** Recoveries waiting for their turn now. */
	public int waitingRecoveries() {
		return this.limiter.waiting();
	}

}
