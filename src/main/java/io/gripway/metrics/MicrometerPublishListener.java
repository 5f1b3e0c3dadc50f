package io.gripway.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.gripway.publish.endpoint.PublishListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts publish requests and items by outcome. Rejection reasons come from a fixed set of tags
 * ({@code PublishHandler}, {@code PublishChallenge}), so the meters stay bounded; they are created on first use and
 * cached.
 *
 * <h3>Thread safety</h3> Thread-safe; called from the publish server's event loops.
 */
final class MicrometerPublishListener implements PublishListener {

	static final String ACCEPTED = "accepted";

	static final String REJECTED = "rejected";

	static final String UNAVAILABLE = "unavailable";

	private final MeterRegistry registry;

	private final Counter acceptedRequests;

	private final Counter unavailableRequests;

	private final Counter acceptedItems;

	private final Counter unavailableItems;

	private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

	MicrometerPublishListener(MeterRegistry registry) {
		this.registry = registry;
		this.acceptedRequests = requests(ACCEPTED, MeterNames.NO_REASON);
		this.unavailableRequests = requests(UNAVAILABLE, MeterNames.NO_REASON);
		this.acceptedItems = registry.counter(MeterNames.PUBLISH_ITEMS, MeterNames.OUTCOME, ACCEPTED);
		this.unavailableItems = registry.counter(MeterNames.PUBLISH_ITEMS, MeterNames.OUTCOME, UNAVAILABLE);
	}

	private Counter requests(String outcome, String reason) {
		return this.registry.counter(MeterNames.PUBLISH_REQUESTS, MeterNames.OUTCOME, outcome, MeterNames.REASON,
				reason);
	}

	@Override
	public void accepted(int items) {
		this.acceptedRequests.increment();
		this.acceptedItems.increment(items);
	}

	@Override
	public void rejected(String reason) {
		this.rejected.computeIfAbsent(reason, tag -> requests(REJECTED, tag)).increment();
	}

	@Override
	public void unavailable(int items) {
		this.unavailableRequests.increment();
		this.unavailableItems.increment(items);
	}

}
