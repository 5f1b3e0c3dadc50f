package io.gripway.hold;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.Action;
import io.gripway.publish.HttpResponseFormat;
import io.gripway.publish.PublishItem;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A held long-poll: the first {@code http-response} published on any of its channels releases it.
 *
 * <h3>Lifecycle</h3> Created for one request and registered once; {@link #released(Duration)} completes with the
 * published response, or empty when the timeout passes first or the node drains it. The caller unregisters it when
 * the returned Mono terminates or is cancelled, whichever comes first.
 */
public final class ResponseHold extends Hold {

	private record Published(HttpResponseFormat format, long publishedAtMillis) {
	}

	private final Sinks.One<Published> published = Sinks.one();

	public ResponseHold(List<ChannelSubscription> channels, Map<String, String> meta) {
		super(channels, meta);
	}

	@Override
	public HoldKind kind() {
		return HoldKind.RESPONSE;
	}

	@Override
	protected void deliver(PublishItem item, long publishedAtMillis) {
		HttpResponseFormat format = item.httpResponse();
		// close and refresh mean nothing to a long-poll (as in Pushpin); hint needs a retry to the origin, which
		// is not supported, so it is ignored rather than answered with an empty body
		if (format != null && format.action() == Action.SEND) {
			// recorded before emitting: the emission writes the response and unregisters this hold synchronously; when
			// the hold has already ended the outcome is already set and this is a no-op
			endWith(HoldOutcome.PUBLISHED);
			// a second publish arriving before the first is written loses the race, as in Pushpin
			if (this.published.tryEmitValue(new Published(format, publishedAtMillis)).isFailure()) {
				dropped(DropReason.SUPERSEDED);
			}
		}
	}

	/** Answers with the timeout response now: the same ending a client gets when its timeout passes. */
	@Override
	public void drain() {
		endWith(HoldOutcome.DRAINED);
		this.published.tryEmitEmpty();
	}

	/** The published response, or empty once {@code timeout} has passed without one or the hold was drained. */
	public Mono<HttpResponseFormat> released(Duration timeout) {
		// the latency is taken here, as the response is handed to the writer: the body follows in one write
		return this.published.asMono()
			.timeout(timeout, Mono.fromRunnable(() -> endWith(HoldOutcome.TIMEOUT)))
			.doOnNext(release -> delivered(release.publishedAtMillis()))
			.map(Published::format);
	}

}
