package io.gripway.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.gripway.app.App;
import io.gripway.hold.LinkPage;
import io.gripway.instruct.HoldInstruction;
import io.gripway.instruct.HoldMode;
import io.gripway.instruct.Instruct;
import io.gripway.instruct.InstructParser;
import io.gripway.instruct.InvalidInstructException;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Fetches streams' next links over HTTP (GRIP reference §3.4): {@code GET} with one {@code Grip-Last} per followed
 * channel, a 2xx answer whose instruction is a stream hold or none, its body appended by the stream.
 *
 * <h3>Retries</h3> A failure (no connection, a status that is not 2xx, a timeout) is retried {@code maxRetries} times
 * with exponential backoff from {@code retryBase} and jitter, as Pushpin retries 5 times from 1 s, doubling, plus up to
 * 1 s at random. An answer that cannot be used (a bad instruction, a response hold) is not retried: asking again would
 * get the same.
 *
 * <h3>Collapsing</h3> Identical fetches in flight at once are made once and shared: same URI and same
 * {@code Grip-Last} set. Pushpin keys on the path without its query; Gripway keeps the query in the key, since two
 * queries may select different users' data (fastly/pushpin#47692 was a stream getting another's data through a key
 * too coarse), and a next link carries nothing else of its client.
 *
 * <h3>Rate</h3> Unless urgent (a {@code hint}), a fetch first waits its turn in the {@link RecoveryLimiter}.
 *
 * <h3>Applications</h3> A fetch is signed with its stream's application's Grip-Sig and names channels in
 * {@code Grip-Last} as its origin does; the page's channels are put in the application's namespace before the stream
 * adopts them. Fetches of different applications are never shared.
 */
final class NextLinks {

	private final OriginRequests origin;

	private final RecoveryLimiter limiter;

	private final int maxRetries;

	private final Duration retryBase;

	private final ConcurrentHashMap<String, Mono<LinkPage>> inFlight = new ConcurrentHashMap<>();

	private final LongAdder fetches = new LongAdder();

	private final LongAdder retries = new LongAdder();

	private final LongAdder collapsed = new LongAdder();

	NextLinks(OriginRequests origin, RecoveryLimiter limiter, int maxRetries, Duration retryBase) {
		this.origin = origin;
		this.limiter = limiter;
		this.maxRetries = maxRetries;
		this.retryBase = retryBase;
	}

	/** See {@link io.gripway.hold.OriginLinks#follow}; {@code lastIds} by channel on the bus. */
	Mono<LinkPage> follow(App app, URI link, Map<String, String> lastIds, boolean urgent) {
		Mono<Void> turn = urgent ? Mono.empty() : this.limiter.admit(link.toString());
		return turn.then(Mono.defer(() -> shared(app, link, lastIds)));
	}

	private Mono<LinkPage> shared(App app, URI link, Map<String, String> lastIds) {
		String key = app.name() + "\n" + link + "\n" + String.join("\n", OriginRequests.gripLast(lastIds));
		AtomicReference<Mono<LinkPage>> made = new AtomicReference<>();
		Mono<LinkPage> fetch = this.inFlight.computeIfAbsent(key, k -> {
			Mono<LinkPage> once = fetch(app, link, lastIds)
				.doFinally(signal -> this.inFlight.remove(k, made.get()))
				.cache();
			made.set(once);
			return once;
		});
		if (made.get() == null) {
			this.collapsed.increment();
		}
		return fetch;
	}

	private Mono<LinkPage> fetch(App app, URI link, Map<String, String> lastIds) {
		return Mono.defer(() -> {
			this.fetches.increment();
			return this.origin.send(app, "GET", link, List.of(), lastIds);
		})
			.map(answer -> {
				if (!answer.successful()) {
					throw new OriginRequests.UnsuccessfulAnswerException(link, answer.status());
				}
				return answer;
			})
			.retryWhen(Retry.backoff(this.maxRetries, this.retryBase)
				.jitter(0.5)
				.filter(error -> !(error instanceof OriginBodyTooLargeException))
				.doBeforeRetry(signal -> this.retries.increment())
				.onRetryExhaustedThrow((spec, signal) -> signal.failure()))
			.map(answer -> {
				Instruct instruct = app.namespace()
					.toBus(InstructParser.parse(answer.status(), answer.reason(), answer.headers(), answer.body()));
				HoldInstruction hold = instruct.hold();
				if (hold != null && hold.mode() != HoldMode.STREAM) {
					// Pushpin's words
					throw new InvalidInstructException("Next link returned non-stream hold.");
				}
				// a JSON instruction is not content: only the response it describes is
				return new LinkPage(link, instruct, instruct.response().body());
			});
	}

	/** Next-link requests sent to origins, retries included. */
	long fetches() {
		return this.fetches.sum();
	}

	/** Retries after a failed next-link request. */
	long retries() {
		return this.retries.sum();
	}

	/** Fetches that shared an identical request already in flight instead of making their own. */
	long collapsed() {
		return this.collapsed.sum();
	}

}
