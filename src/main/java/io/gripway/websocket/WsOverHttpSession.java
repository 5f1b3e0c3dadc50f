package io.gripway.websocket;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import io.gripway.hold.HoldRegistry;
import io.gripway.hold.WebSocketHold;
import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.WsMessageFormat;
import io.gripway.publish.WsMessageType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

import org.springframework.http.HttpHeaders;

/**
 * One client WebSocket carried over HTTP to its origin (reference §4.2): turns client frames into events POSTed to
 * the origin, and the origin's answers into frames, subscriptions and closes.
 *
 * <p>
 * At most one POST is outstanding; client frames arriving meanwhile wait in {@code pending} and go together in the
 * next one. A POST that fails (no connection, a 5xx, an unreadable answer) is sent again with Reactor's
 * exponential backoff: after about {@code retryBase · 2ⁿ} (jittered, at most {@code maxBackoff}), up to
 * {@code maxRetries} times, then the client is closed with 1011. Other bad answers (a 4xx, a Content-Type other than
 * exactly {@code application/websocket-events}, malformed events) close it at once.
 *
 * <h3>Thread safety</h3> Called from the client's event loop, the HTTP client's, the bus thread (refresh) and
 * timers; all mutable state is guarded by this object's monitor, which is never held while sending or emitting.
 *
 * <h3>Lifecycle</h3> {@link #open()} sends the first POST; after the origin accepted, {@link #accepted} keeps what
 * its answer said, and once the client's WebSocket is up and the hold registered, {@link #start} acts on it.
 * {@link #clientGone} queues the last event (CLOSE or DISCONNECT) for the origin, which is POSTed even though the
 * client has gone, after the POST in flight if there is one; {@link #end()} stops the timers but keeps that event
 * (and sends DISCONNECT if the client's end was never reported): the origin always hears that its client went.
 * Each POST with its retries is one publisher, subscribed once; when there is nothing more to send (the session is
 * {@code DONE}, or ended with no last event due) it is disposed, with the keep-alive timer.
 */
final class WsOverHttpSession implements ClientSession {

	private static final Log logger = LogFactory.getLog(WsOverHttpSession.class);

	/** Spread of each retry's wait, as a fraction of it: sessions that failed together do not retry together. */
	static final double RETRY_JITTER = 0.5;

	private enum State {

		/** Events flow both ways. */
		OPEN,

		/** The origin detached: no more POSTs; publishes still reach the client. */
		DETACHED,

		/** The origin closed or dropped the client, or failed for good: no more POSTs. */
		ORIGIN_DONE,

		/** The client has gone: its last event is pending or on its way, then no more POSTs. */
		CLIENT_GONE,

		/** Nothing more to send. */
		DONE

	}

	private final String connectionId = UUID.randomUUID().toString();

	private final URI uri;

	private final HttpHeaders clientHeaders;

	private final OriginPoster poster;

	private final HoldRegistry registry;

	private final WebSocketHold hold;

	private final Scheduler timer;

	private final WsOverHttpSettings settings;

	private final String logPrefix;

	private final OriginMessageHandler messages;

	private final RetryBackoffSpec retry;

	// the POST in flight, with its retries; disposed when nothing more is to be sent
	private final Disposable.Swap posting = Disposables.swap();

	private final List<WsEvent> pending = new ArrayList<>();

	private long pendingBytes;

	// the client's reading waits on this while pending is full; completed when the pending messages leave
	private Sinks.@Nullable Empty<Void> room;

	private final Map<String, String> meta = new LinkedHashMap<>();

	private State state = State.OPEN;

	private boolean inFlight;

	private boolean postWanted;

	private @Nullable Integer keepAliveSeconds;

	private @Nullable Disposable keepAliveTask;

	private List<WsEvent> initialEvents = List.of();

	private Runnable drop = () -> {
	};

	WsOverHttpSession(URI uri, HttpHeaders clientHeaders, OriginPoster poster, HoldRegistry registry,
			Scheduler timer, WsOverHttpSettings settings, String logPrefix) {
		this.uri = uri;
		this.clientHeaders = clientHeaders;
		this.poster = poster;
		this.registry = registry;
		this.timer = timer;
		this.settings = settings;
		this.logPrefix = logPrefix;
		this.hold = new WebSocketHold(settings.queueCapacity(), this::refresh);
		this.messages = new OriginMessageHandler(this.hold, registry, timer, this::detach, logPrefix + "[" + uri + "] ");
		this.retry = Retry.backoff(settings.maxRetries(), settings.retryBase())
			.maxBackoff(settings.maxBackoff())
			.jitter(RETRY_JITTER)
			.scheduler(timer)
			.doBeforeRetry(signal -> {
				if (logger.isDebugEnabled()) {
					logger.debug(logPrefix + "POST to " + uri + " failed (" + signal.failure().getMessage()
							+ "), retry " + (signal.totalRetries() + 1) + " of " + settings.maxRetries());
				}
			})
			.onRetryExhaustedThrow(exhausted());
	}

	// the last failure, and how many tries it took, for the log line of the 1011
	private static BiFunction<RetryBackoffSpec, Retry.RetrySignal, Throwable> exhausted() {
		return (spec, signal) -> new PostFailedException(signal.totalRetries() + 1, signal.failure());
	}

	@Override
	public WebSocketHold hold() {
		return this.hold;
	}

	/** The first POST, {@code OPEN}; not retried: a client waiting on its handshake gets the origin's failure. */
	Mono<OriginReply> open() {
		return this.poster.post(this.uri, this.clientHeaders, this.connectionId, Map.of(),
				WsEvents.encode(List.of(WsEvent.OPEN)));
	}

	/** The origin accepted: keeps what its first answer set, and the events after {@code OPEN}, for {@link #start}. */
	synchronized void accepted(OriginReply reply, List<WsEvent> eventsAfterOpen) {
		if (reply.enablesGrip()) {
			this.messages.enableGrip();
		}
		this.initialEvents = List.copyOf(eventsAfterOpen);
		applyHeaders(reply);
	}

	/**
	 * The client's WebSocket is open and the hold registered: acts on the first answer's events.
	 * @param drop closes the client's connection without a close frame, for {@code DISCONNECT}
	 */
	@Override
	public void start(Runnable drop) {
		List<WsEvent> events;
		synchronized (this) {
			this.drop = drop;
			events = this.initialEvents;
			this.initialEvents = List.of();
			scheduleKeepAlive();
		}
		process(events);
	}

	/**
	 * A frame from the client, for the origin. Dropped once the origin detached or is done. While a POST is
	 * outstanding, frames wait for the next one; past {@code maxPendingBytes} of them the client is not read until
	 * they have gone, as Pushpin stops reading from a client that outpaces its origin.
	 */
	@Override
	public Mono<Void> fromClient(WsEvent event) {
		synchronized (this) {
			if (this.state != State.OPEN) {
				return Mono.empty();
			}
			this.pending.add(event);
			this.pendingBytes += event.content().length();
		}
		postIfDue();
		synchronized (this) {
			if (this.pendingBytes < this.settings.maxPendingBytes() || this.state != State.OPEN) {
				return Mono.empty();
			}
			if (this.room == null) {
				this.room = Sinks.empty();
			}
			return this.room.asMono();
		}
	}

	/** The pending frames have gone (or never will): the client may be read again. Called holding the lock. */
	private void pendingLeft() {
		this.pending.clear();
		this.pendingBytes = 0;
		releaseReading();
	}

	// guarded by this: a client read waiting for room goes on
	private void releaseReading() {
		Sinks.Empty<Void> waiting = this.room;
		this.room = null;
		if (waiting != null) {
			waiting.tryEmitEmpty();
		}
	}

	/**
	 * The client's WebSocket ended: with a close frame ({@code code} possibly null for a close without status) or
	 * without one ({@code clean} false), which the origin hears as CLOSE or DISCONNECT.
	 */
	@Override
	public void clientGone(boolean clean, @Nullable Integer code, @Nullable String reason) {
		synchronized (this) {
			if (this.state == State.OPEN) {
				this.pending.add(clean ? WsEvent.close(code, reason) : WsEvent.DISCONNECT);
				this.state = State.CLIENT_GONE;
			}
			else if (this.state != State.CLIENT_GONE) {
				this.state = State.DONE;
			}
		}
		this.hold.complete();
		postIfDue();
	}

	/**
	 * The client's WebSocket handler finished: no more timers. The client's last event still goes out: after the
	 * POST in flight, if there is one (its answer finds the event pending), else now. A handler that ended without
	 * reporting the client gone (cancelled) counts as the client vanishing, so the origin always hears of it.
	 */
	@Override
	public void end() {
		this.messages.stop();
		synchronized (this) {
			if (this.state == State.OPEN) {
				this.pending.add(WsEvent.DISCONNECT);
				this.state = State.CLIENT_GONE;
			}
			if (this.state == State.CLIENT_GONE) {
				// what is pending ends with the client's CLOSE or DISCONNECT: kept for the next POST
				releaseReading();
			}
			else {
				pendingLeft();
				if (this.state == State.DETACHED) {
					this.state = State.DONE;
				}
				// nothing more will be sent
				this.posting.dispose();
			}
			cancel(this.keepAliveTask);
		}
		postIfDue();
	}

	/** A {@code refresh} publish: POST now, with whatever is pending (possibly nothing). */
	void refresh() {
		synchronized (this) {
			this.postWanted = true;
		}
		postIfDue();
	}

	private void postIfDue() {
		List<WsEvent> batch;
		synchronized (this) {
			boolean posting = this.state == State.OPEN || this.state == State.CLIENT_GONE;
			if (this.inFlight || !posting || (this.pending.isEmpty() && !this.postWanted)) {
				return;
			}
			batch = List.copyOf(this.pending);
			pendingLeft();
			this.postWanted = false;
			this.inFlight = true;
			cancel(this.keepAliveTask);
		}
		BaseSubscriber<OriginReply> subscriber = new BaseSubscriber<>() {

			@Override
			protected void hookOnNext(OriginReply reply) {
				replied(reply);
			}

			@Override
			protected void hookOnError(Throwable ex) {
				fail(ex.getMessage());
			}

		};
		// in place before it can complete: the next POST, which its answer may start, replaces it, not the reverse
		this.posting.replace(subscriber);
		post(WsEvents.encode(batch)).subscribe(subscriber);
	}

	/** One POST of {@code events}, sent again on failure; each try carries the meta bound at that moment. */
	private Mono<OriginReply> post(byte[] events) {
		return Mono.defer(() -> this.poster.post(this.uri, this.clientHeaders, this.connectionId, metaNow(), events))
			.<OriginReply>handle((reply, sink) -> {
				if (reply.status() >= 500) {
					sink.error(new OriginServerError(reply.status()));
				}
				else {
					sink.next(reply);
				}
			})
			.retryWhen(this.retry);
	}

	private synchronized Map<String, String> metaNow() {
		return Map.copyOf(this.meta);
	}

	private void replied(OriginReply reply) {
		if (!reply.isEvents()) {
			fail("origin answered " + reply.status() + " with Content-Type '"
					+ reply.headers().getFirst(HttpHeaders.CONTENT_TYPE) + "', not 200 with " + WsEvents.CONTENT_TYPE);
			return;
		}
		List<WsEvent> events;
		try {
			events = WsEvents.decode(reply.body());
		}
		catch (InvalidWsEventsException ex) {
			fail("origin sent malformed events: " + ex.getMessage());
			return;
		}
		synchronized (this) {
			applyHeaders(reply);
		}
		process(events);
		synchronized (this) {
			this.inFlight = false;
			if (this.state == State.CLIENT_GONE && this.pending.isEmpty()) {
				this.state = State.DONE;
				// the client's last event was answered: nothing more will be sent
				this.posting.dispose();
			}
			scheduleKeepAlive();
		}
		postIfDue();
	}

	private void fail(String why) {
		logger.warn(this.logPrefix + "WebSocket-over-HTTP to " + this.uri + " failed, closing the client: " + why);
		synchronized (this) {
			this.inFlight = false;
			this.state = (this.state == State.CLIENT_GONE) ? State.DONE : State.ORIGIN_DONE;
			pendingLeft();
			cancel(this.keepAliveTask);
			this.posting.dispose();
		}
		this.hold.offer(closeFrame(1011, "origin unavailable"));
	}

	// guarded by this
	private void applyHeaders(OriginReply reply) {
		WsOverHttpHeaders.applySetMeta(reply.headers(), this.meta);
		Integer interval = WsOverHttpHeaders.keepAliveInterval(reply.headers());
		if (interval != null) {
			this.keepAliveSeconds = interval;
		}
	}

	// guarded by this: an empty POST after the interval without one (the origin's keep-alive)
	private void scheduleKeepAlive() {
		cancel(this.keepAliveTask);
		Integer seconds = this.keepAliveSeconds;
		if (seconds != null && this.state == State.OPEN && !this.inFlight) {
			this.keepAliveTask = this.timer.schedule(this::refresh, seconds, TimeUnit.SECONDS);
		}
	}

	private void process(List<WsEvent> events) {
		for (WsEvent event : events) {
			switch (event.type()) {
				case TEXT:
					this.messages.text(event.content());
					break;
				case BINARY:
					this.messages.binary(event.content());
					break;
				case PING:
					this.hold.offer(OriginMessageHandler.frame(WsMessageType.PING, event.content()));
					break;
				case PONG:
					this.hold.offer(OriginMessageHandler.frame(WsMessageType.PONG, event.content()));
					break;
				case CLOSE:
					originDone();
					this.hold.offer(closeFrame(event.closeCode(), event.closeReason()));
					return;
				case DISCONNECT:
					originDone();
					this.drop.run();
					return;
				default:
					// OPEN again: nothing to do
			}
		}
	}

	private synchronized void originDone() {
		if (this.state == State.OPEN || this.state == State.DETACHED) {
			this.state = State.ORIGIN_DONE;
		}
		pendingLeft();
		cancel(this.keepAliveTask);
	}

	private synchronized void detach() {
		if (this.state == State.OPEN) {
			this.state = State.DETACHED;
			pendingLeft();
			cancel(this.keepAliveTask);
		}
	}

	static WsMessageFormat closeFrame(@Nullable Integer code, @Nullable String reason) {
		return new WsMessageFormat(Action.CLOSE, WsMessageType.TEXT, Content.EMPTY, code, reason, null);
	}

	private static void cancel(@Nullable Disposable task) {
		if (task != null) {
			task.dispose();
		}
	}

	/** The origin answered 5xx: retried like a failed connection. Expected from a restarting origin: no stack. */
	static final class OriginServerError extends RuntimeException {

		OriginServerError(int status) {
			super("origin answered " + status);
		}

		@Override
		public synchronized Throwable fillInStackTrace() {
			return this;
		}

	}

	/** A POST failed on every try; says how many and the last failure. */
	static final class PostFailedException extends RuntimeException {

		PostFailedException(long tries, Throwable last) {
			super("POST failed " + tries + " times, last: " + last, last);
		}

		@Override
		public synchronized Throwable fillInStackTrace() {
			return this;
		}

	}

}
