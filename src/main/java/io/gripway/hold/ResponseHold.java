package io.gripway.hold;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.gripway.history.ChannelHistory;
import io.gripway.history.Replay;
import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.publish.Action;
import io.gripway.publish.HttpResponseFormat;
import io.gripway.publish.PublishItem;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A held long-poll: the first {@code http-response} published on any of its channels releases it.
 *
 * <h3>Reliability</h3> A channel subscribed with a {@code prev-id} is followed: an item whose {@code prev-id} is not
 * the connection's last id on that channel, a {@code hint}, {@code /recover} or a gap on the bus release the hold
 * {@linkplain Release#retry() for a retry}: the caller sends the original request to the origin again, with
 * {@code Grip-Last} from {@link #lastIds()}, and the origin's answer goes to the client (GRIP reference §3.4).
 *
 * <h3>Lifecycle</h3> Created for one request and registered once; {@link #released(Duration)} completes with the
 * release, or empty when the timeout passes first or the node drains it. The caller unregisters it when the returned
 * Mono terminates or is cancelled, whichever comes first.
 */
public final class ResponseHold extends Hold {

	/**
	 * How a long-poll was released: by a published response, or for a retry at the origin.
	 * @param format the published response, with its body already through the subscription's content filters
	 * @param retry the cause, when the request goes back to the origin instead
	 */
	public record Release(@Nullable HttpResponseFormat format, @Nullable RecoveryCause retry) {
	}

	private record Released(Release release, long publishedAtMillis) {
	}

	private static final long NOT_PUBLISHED = -1;

	/** Items kept while history is read; a long-poll is released by the first that passes, so few ever matter. */
	private static final int WAITING_CAPACITY = 100;

	// non-null while history is read for a long-poll held behind (see catchUp): what was published meanwhile, in
	// order; guarded by the monitor
	private @Nullable List<Pending> waiting;

	private boolean waitingOverflowed;

	private final Sinks.One<Released> published = Sinks.one();

	// the last id per followed channel; read by the delivery thread, and by the retry once released
	private final Map<String, String> ids = new LinkedHashMap<>();

	private final ChannelHistory history;

	public ResponseHold(List<ChannelSubscription> channels, Map<String, String> meta) {
		this(channels, meta, ChannelHistory.NONE);
	}

	/** @param history answers a long-poll held behind its channel at once, where it can prove what was missed */
	public ResponseHold(List<ChannelSubscription> channels, Map<String, String> meta, ChannelHistory history) {
		super(channels, meta);
		this.history = history;
		for (ChannelSubscription channel : channels) {
			if (channel.prevId() != null) {
				this.ids.put(channel.name(), channel.prevId());
			}
		}
	}

	@Override
	public Transport kind() {
		return Transport.RESPONSE;
	}

	@Override
	protected void deliver(PublishItem item, ChannelSubscription subscription, long publishedAtMillis) {
		HttpResponseFormat format = item.httpResponse();
		// close and refresh mean nothing to a long-poll, as in Pushpin
		if (format == null || (format.action() != Action.SEND && format.action() != Action.HINT)) {
			return;
		}
		synchronized (this) {
			List<Pending> meanwhile = this.waiting;
			if (meanwhile != null) {
				// history is being read: the first item it proves missed goes first
				if (meanwhile.size() < WAITING_CAPACITY) {
					meanwhile.add(new Pending(item, publishedAtMillis));
				}
				else {
					this.waitingOverflowed = true;
				}
				return;
			}
			if (alreadyHas(this.ids, item)) {
				dropped(DropReason.DUPLICATE_ID);
				return;
			}
			String last = this.ids.get(item.channel());
			if (last != null && !last.equals(item.prevId())) {
				dropped(DropReason.OUT_OF_SEQUENCE);
				retry(RecoveryCause.GAP);
				return;
			}
			if (last != null) {
				advance(item.channel(), item.id());
			}
			if (format.action() == Action.HINT) {
				retry(RecoveryCause.HINT);
				return;
			}
			Content body = filtered(subscription, format.contentFilters(), format.body(), this.ids);
			if (body == null) {
				return;
			}
			HttpResponseFormat release = (body == format.body()) ? format
					: new HttpResponseFormat(format.action(), format.code(), format.reason(), format.headers(), body,
							format.contentFilters());
			// recorded before emitting: the emission writes the response and unregisters this hold synchronously;
			// when the hold has already ended the outcome is already set and this is a no-op
			endWith(HoldOutcome.PUBLISHED);
			// a second publish arriving before the first is written loses the race, as in Pushpin
			if (this.published.tryEmitValue(new Released(new Release(release, null), publishedAtMillis)).isFailure()) {
				dropped(DropReason.SUPERSEDED);
			}
		}
	}

	/**
	 * A long-poll held behind its channel is answered at once from history with the first item it missed (the client
	 * then polls again with that item's id, and gets the next); where history cannot prove what follows its prev-id,
	 * the request goes back to the origin. Items published while history is read wait for its answer: taken first,
	 * one that does not follow the prev-id would send the request back to the origin for what history has.
	 */
	@Override
	protected void catchUp() {
		Map<String, String> covered;
		synchronized (this) {
			covered = covered(this.history, this.ids);
			if (covered.isEmpty()) {
				return;
			}
			this.waiting = new ArrayList<>();
		}
		lookUp(this.history, covered).subscribe(this::replay, error -> replay(List.of(Replay.gap())));
	}

	private void replay(List<Replay> replays) {
		List<Pending> meanwhile;
		boolean overflowed;
		synchronized (this) {
			meanwhile = (this.waiting != null) ? this.waiting : List.of();
			overflowed = this.waitingOverflowed;
			this.waiting = null;
		}
		if (replays.stream().anyMatch(replay -> replay.kind() == Replay.Kind.GAP)) {
			replayFellBack();
			synchronized (this) {
				retry(RecoveryCause.BEHIND);
			}
			return;
		}
		Optional<Replay.Entry> missed = replays.stream()
			.flatMap(replay -> replay.items().stream())
			.min(Comparator.comparingLong(Replay.Entry::publishedAtMillis));
		if (missed.isPresent()) {
			// what was published meanwhile comes after it: the client's next poll gets it
			replayed(1);
			deliverKept(missed.get().item(), missed.get().publishedAtMillis());
			return;
		}
		for (Pending item : meanwhile) {
			deliverKept(item.item(), item.publishedAtMillis());
		}
		if (overflowed && !ended()) {
			// none of those it kept released it, and it could keep no more: what it may have missed is at the origin
			synchronized (this) {
				retry(RecoveryCause.GAP);
			}
		}
	}

	/** An item that waited, or came from history: the connection may have left its channel meanwhile. */
	private void deliverKept(PublishItem item, long publishedAtMillis) {
		ChannelSubscription subscription = channel(item.channel());
		if (subscription != null) {
			deliver(item, subscription, publishedAtMillis);
		}
	}

	private void advance(String channel, @Nullable String id) {
		if (id != null) {
			this.ids.put(channel, id);
		}
		else {
			this.ids.remove(channel);
		}
	}

	@Override
	protected void recover(RecoveryCause cause) {
		synchronized (this) {
			retry(cause);
		}
	}

	private void retry(RecoveryCause cause) {
		endWith(HoldOutcome.RETRIED);
		if (this.published.tryEmitValue(new Released(new Release(null, cause), NOT_PUBLISHED)).isSuccess()) {
			recoveryStarted(cause);
		}
	}

	/** Reports how the retry this hold was released for went: the origin answered, or it could not be asked. */
	public void retried(RecoveryCause cause, boolean succeeded) {
		recoveryEnded(cause, succeeded);
	}

	/** The last id per followed channel, for {@code Grip-Last} on a retry. */
	public synchronized Map<String, String> lastIds() {
		return Map.copyOf(this.ids);
	}

	/** Answers with the timeout response now: the same ending a client gets when its timeout passes. */
	@Override
	public void drain() {
		endWith(HoldOutcome.DRAINED);
		this.published.tryEmitEmpty();
	}

	/** The release, or empty once {@code timeout} has passed without one or the hold was drained. */
	public Mono<Release> released(Duration timeout) {
		// the latency is taken here, as the response is handed to the writer: the body follows in one write
		return this.published.asMono()
			.timeout(timeout, Mono.fromRunnable(() -> endWith(HoldOutcome.TIMEOUT)))
			.doOnNext(release -> {
				if (release.publishedAtMillis() != NOT_PUBLISHED) {
					delivered(release.publishedAtMillis());
				}
			})
			.map(Released::release);
	}

}
