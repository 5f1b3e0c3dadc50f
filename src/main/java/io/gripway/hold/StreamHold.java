package io.gripway.hold;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.gripway.filter.ContentFilterException;
import io.gripway.filter.ContentFilters;
import io.gripway.history.ChannelHistory;
import io.gripway.history.Replay;
import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.instruct.HoldInstruction;
import io.gripway.instruct.HoldMode;
import io.gripway.instruct.Instruct;
import io.gripway.instruct.KeepAlive;
import io.gripway.instruct.KeepAliveMode;
import io.gripway.instruct.NextLink;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;

/**
 * A held stream (HTTP streaming or SSE): every {@code http-stream} publish is appended, keep-alive bytes fill the
 * silences, and a {@code close} publish ends it.
 *
 * <h3>Output</h3> Content goes straight from the bus thread to the client's {@link Output} (the socket's writer), with
 * no reactive pipeline per subscriber in between: a publish to ten thousand streams is ten thousand calls. Until the
 * response is ready for it ({@link #attach}), content waits here, in order.
 *
 * <h3>Reliability</h3> A channel subscribed with a {@code prev-id} is followed: each item on it must name the
 * connection's last id as its {@code prev-id}. An item that does not is a gap, and the stream fetches its next link
 * ({@link OriginLinks#follow}) with the last ids it has, appends the page's body and adopts the page's instruction
 * (channels, prev-ids, the following next link, keep-alive, meta); items published meanwhile wait and those that do not
 * follow the page are dropped. A {@code hint}, {@code /recover}, a gap on the bus and a quiet spell as long as the next
 * link's {@code timeout} fetch it too (GRIP reference §3.4).
 *
 * <h3>Bounded</h3> At most {@code queueCapacity} items wait for one client, here or in its output. A client that lets
 * them pile up is disconnected (the {@code evict} action): one slow reader must never make the node buffer without
 * limit. While a next link is being fetched, at most as many published items wait; more are dropped, as in Pushpin.
 *
 * <h3>Thread safety</h3> Items come from the bus thread, keep-alives and next-link refreshes from a timer thread, pages
 * from the origin client's event loop, the end from any of them or from the drain; this object's monitor serializes
 * them, and is held only to hand content over, never for I/O.
 *
 * <h3>Lifecycle</h3> {@link #attach} once, when the response can take content; {@link #detach} when the response is
 * over, whichever way, which stops the timers and any fetch. {@link #drain()} ends it like a {@code close} publish,
 * after what is already queued.
 */
public final class StreamHold extends Hold {

	private static final Log logger = LogFactory.getLog(StreamHold.class);

	/** Where a stream's content goes: the writer of the client's socket. */
	public interface Output {

		/**
		 * Queues content for the client behind what is already queued; must not block.
		 * @return false when the client already has its fill waiting: the content is not queued
		 */
		boolean write(Content content);

		/** Ends the response cleanly once what is queued has been written. */
		void end();

	}

	/** What waits for the output; keep-alives and next-link pages carry no publish time. */
	private record Queued(Content content, long publishedAtMillis, List<Queued> joined) {

		Queued(Content content, long publishedAtMillis) {
			this(content, publishedAtMillis, List.of());
		}

		/** One write of the contents of {@code items}, which keep their publish times. */
		static Queued join(List<Queued> items) {
			return (items.size() == 1) ? items.get(0)
					: new Queued(Content.join(items.stream().map(Queued::content).toList()), NOT_PUBLISHED,
							List.copyOf(items));
		}

		/** What this write delivers: itself, or the items joined into it. */
		List<Queued> items() {
			return this.joined.isEmpty() ? List.of(this) : this.joined;
		}

		boolean published() {
			return this.publishedAtMillis != NOT_PUBLISHED;
		}

	}

	private static final long NOT_PUBLISHED = -1;

	// while a catch-up runs (see inOneWrite), what it emits; guarded by the monitor
	private @Nullable List<Queued> batch;

	private final int capacity;

	private final Scheduler timer;

	private final Runnable evict;

	// everything below is guarded by this object's monitor
	private @Nullable KeepAlive keepAlive;

	private final ArrayDeque<Queued> early = new ArrayDeque<>();

	private @Nullable Output output;

	// no more content: a close, a drain or an overflow; the output ends once it has what came before
	private boolean finished;

	private boolean detached;

	private @Nullable Disposable keepAliveTask;

	private volatile long lastWriteNanos = System.nanoTime();

	private OriginLinks links = OriginLinks.NONE;

	private ChannelHistory history = ChannelHistory.NONE;

	// the URI the stream's current instruction came from: relative next links resolve against it
	private @Nullable URI base;

	private @Nullable URI next;

	private Duration nextTimeout = Duration.ZERO;

	// the last id per followed channel (one subscribed with a prev-id); Pushpin's per-session channel prev-ids
	private final Map<String, String> ids = new LinkedHashMap<>();

	private @Nullable RecoveryCause updating;

	private final ArrayDeque<Pending> pending = new ArrayDeque<>();

	private final Disposable.Swap fetch = Disposables.swap();

	// counts fetches started, so a fetch started while subscribing to another is not replaced by it
	private long fetches;

	// apart from fetch: a history lookup that finds a gap starts a fetch before its own subscription is stored
	private final Disposable.Swap lookup = Disposables.swap();

	private final Disposable.Swap idleTask = Disposables.swap();

	// channels with a delivery since the idle timer last started; when every channel had one, it starts again
	private final Set<String> active = new HashSet<>();

	/**
	 * @param queueCapacity items that may wait for the client before it is disconnected as too slow
	 * @param evict closes the client's connection, for a client too slow to keep up
	 */
	public StreamHold(List<ChannelSubscription> channels, Map<String, String> meta, @Nullable KeepAlive keepAlive,
			int queueCapacity, Scheduler timer, Runnable evict) {
		super(channels, meta);
		this.capacity = queueCapacity;
		this.keepAlive = keepAlive;
		this.timer = timer;
		this.evict = evict;
		for (ChannelSubscription channel : channels) {
			if (channel.prevId() != null) {
				this.ids.put(channel.name(), channel.prevId());
			}
		}
	}

	/**
	 * Sets where this stream recovers from, before it is registered.
	 * @param links fetches next links
	 * @param history replays what the stream missed without asking the origin, where it can prove continuity
	 * @param base the URI of the request the stream answers, which a relative next link resolves against
	 * @param next the origin's next link, if any
	 */
	public synchronized void follow(OriginLinks links, ChannelHistory history, URI base, @Nullable NextLink next) {
		this.links = links;
		this.history = history;
		this.base = base;
		setNext(next);
	}

	@Override
	public Transport kind() {
		return Transport.STREAM;
	}

	/** The response can take content now: what waited goes first, then everything as it comes. */
	public void attach(Output output) {
		List<Queued> handed = new ArrayList<>();
		synchronized (this) {
			if (this.detached || this.output != null) {
				return;
			}
			this.output = output;
			for (Queued queued : this.early) {
				// the output is fresh and the early queue no longer than its capacity: it takes them all
				output.write(queued.content());
				handed.add(queued);
			}
			this.early.clear();
			if (this.finished) {
				output.end();
			}
			else {
				scheduleKeepAlive();
				scheduleIdleRefresh();
			}
		}
		for (Queued queued : handed) {
			reportDelivered(queued);
		}
	}

	/** The response is over (written out, or the client went away): nothing more is written, timers stop. */
	public synchronized void detach() {
		this.detached = true;
		this.finished = true;
		this.output = null;
		this.early.clear();
		this.pending.clear();
		if (this.keepAliveTask != null) {
			this.keepAliveTask.dispose();
		}
		this.idleTask.dispose();
		this.fetch.dispose();
		this.lookup.dispose();
	}

	@Override
	protected void deliver(PublishItem item, ChannelSubscription subscription, long publishedAtMillis) {
		HttpStreamFormat format = item.httpStream();
		if (format == null) {
			return;
		}
		synchronized (this) {
			if (this.finished) {
				dropped(DropReason.ENDED);
				return;
			}
			if (format.action() == Action.HINT) {
				// whatever waits is covered by what the origin will answer
				this.pending.clear();
				update(RecoveryCause.HINT, true);
				return;
			}
			if (this.updating != null) {
				if (this.pending.size() < this.capacity) {
					this.pending.add(new Pending(item, publishedAtMillis));
				}
				else {
					dropped(DropReason.QUEUE_OVERFLOW);
				}
				return;
			}
			process(item, subscription, publishedAtMillis);
		}
	}

	/** An item that waited (for a fetch, a replay): the connection may have left its channel meanwhile. */
	private void process(PublishItem item, long publishedAtMillis) {
		ChannelSubscription subscription = channel(item.channel());
		if (subscription != null) {
			process(item, subscription, publishedAtMillis);
		}
	}

	/** One item, in the connection's order: checked against the last id, filtered, then appended or closing. */
	private void process(PublishItem item, ChannelSubscription subscription, long publishedAtMillis) {
		HttpStreamFormat format = item.httpStream();
		if (format == null) {
			return;
		}
		if (alreadyHas(this.ids, item)) {
			dropped(DropReason.DUPLICATE_ID);
			return;
		}
		if (!followsLastId(item)) {
			this.pending.clear();
			update(RecoveryCause.GAP, false);
			return;
		}
		if (format.action() == Action.CLOSE) {
			complete(HoldOutcome.CLOSED);
			return;
		}
		if (format.action() != Action.SEND) {
			return;
		}
		Content content = filtered(subscription, format.contentFilters(), format.content(), this.ids);
		if (content == null) {
			return;
		}
		noteActivity(item.channel());
		emit(new Queued(content, publishedAtMillis));
	}

	/**
	 * Whether {@code item} follows what the connection has on its channel, advancing the last id if it does. As in
	 * Pushpin, an item without an id stops the following: nothing can name it as its predecessor.
	 */
	private boolean followsLastId(PublishItem item) {
		String last = this.ids.get(item.channel());
		if (last == null) {
			return true;
		}
		if (!last.equals(item.prevId())) {
			dropped(DropReason.OUT_OF_SEQUENCE);
			return false;
		}
		if (item.id() != null) {
			this.ids.put(item.channel(), item.id());
		}
		else {
			this.ids.remove(item.channel());
		}
		return true;
	}

	/**
	 * Catches the stream up from history when it was held behind its channels: the items after its prev-ids, sent by
	 * Gripway itself, before anything live. Where history cannot prove what follows a prev-id, the stream recovers
	 * through its next link instead. Items published meanwhile wait, as during a next-link fetch.
	 */
	@Override
	protected void catchUp() {
		Map<String, String> covered;
		synchronized (this) {
			covered = covered(this.history, this.ids);
			if (covered.isEmpty() || this.finished || this.updating != null) {
				return;
			}
			this.updating = RecoveryCause.BEHIND;
		}
		this.lookup.update(lookUp(this.history, covered).subscribe(this::replay, error -> {
				logger.warn("History could not be read (" + error.getMessage() + "); recovering from the origin");
				replay(List.of(Replay.gap()));
			}));
	}

	private void replay(List<Replay> replays) {
		synchronized (this) {
			if (this.finished) {
				return;
			}
			if (replays.stream().anyMatch(replay -> replay.kind() == Replay.Kind.GAP)) {
				replayFellBack();
				this.updating = null;
				update(RecoveryCause.BEHIND, false);
				return;
			}
			List<Replay.Entry> items = new ArrayList<>();
			replays.forEach(replay -> items.addAll(replay.items()));
			// channels replay one after another; across channels, publish order is the best order there is
			items.sort(Comparator.comparingLong(Replay.Entry::publishedAtMillis));
			inOneWrite(() -> {
				for (Replay.Entry entry : items) {
					process(entry.item(), entry.publishedAtMillis());
				}
				resume();
			});
			replayed(items.size());
		}
	}

	/**
	 * The response carried no hold but a next link: fetch it now, and the pages after it, appending each, until a page
	 * holds the stream or has no further link (GRIP's paging). Called once the initial response is attached.
	 */
	public synchronized void startChain() {
		update(RecoveryCause.CHAINED, true);
	}

	@Override
	protected void recover(RecoveryCause cause) {
		synchronized (this) {
			if (!this.finished) {
				update(cause, false);
			}
		}
	}

	/** Fetches the next link, unless one is being fetched already or there is none (then nothing can be recovered). */
	private void update(RecoveryCause cause, boolean urgent) {
		URI link = this.next;
		if (link == null || this.updating != null || this.finished) {
			return;
		}
		this.updating = cause;
		this.idleTask.update(Disposables.disposed());
		recoveryStarted(cause);
		Map<String, String> lastIds = Map.copyOf(this.ids);
		long generation = ++this.fetches;
		Disposable subscription = this.links.follow(link, lastIds, urgent)
			.subscribe(page -> adopt(page, cause), error -> fetchFailed(link, error, cause));
		// an answer already at hand (a shared fetch that just completed) is adopted inside subscribe, and may have
		// started the next fetch: that one is the one to keep
		if (this.fetches == generation) {
			this.fetch.update(subscription);
		}
	}

	private void adopt(LinkPage page, RecoveryCause cause) {
		List<ChannelSubscription> channels;
		synchronized (this) {
			if (this.finished) {
				return;
			}
			Instruct instruct = page.instruct();
			HoldInstruction hold = instruct.hold();
			this.base = page.uri();
			setNext(instruct.next());
			Content body = pageContent(page);
			if (!body.isEmpty()) {
				emit(new Queued(body, NOT_PUBLISHED));
			}
			recoveryEnded(cause, true);
			if (hold == null || hold.mode() != HoldMode.STREAM) {
				// a page with no hold: the origin is paging its content; without a further link the response is over
				this.updating = null;
				if (this.next != null) {
					update(RecoveryCause.CHAINED, true);
				}
				else {
					complete(HoldOutcome.CLOSED);
				}
				return;
			}
			channels = hold.channels();
			this.ids.clear();
			for (ChannelSubscription channel : channels) {
				if (channel.prevId() != null) {
					this.ids.put(channel.name(), channel.prevId());
				}
			}
			KeepAlive keepAlive = hold.keepAlive();
			if (keepAlive != null || this.keepAlive != null) {
				this.keepAlive = keepAlive;
				if (this.keepAliveTask != null) {
					this.keepAliveTask.dispose();
				}
				scheduleKeepAlive();
			}
			replaceMeta(instruct.meta());
		}
		// outside this monitor: joining channels takes the registry's locks
		resubscribe(channels);
		synchronized (this) {
			inOneWrite(this::resume);
		}
	}

	/** After a fetch or a replay: the items that came meanwhile, in order; one of them may start the next fetch. */
	private void resume() {
		dropPendingThatDoNotFollow();
		this.updating = null;
		while (this.updating == null && !this.finished && !this.pending.isEmpty()) {
			Pending first = this.pending.removeFirst();
			process(first.item(), first.publishedAtMillis());
		}
		if (this.updating == null) {
			this.active.clear();
			scheduleIdleRefresh();
		}
	}

	/**
	 * A page's body through the response-content filters of the channels it holds (a {@code build-id} turns the
	 * {@code %%} an origin doubled in replayed content back into {@code %}), as Pushpin filters a next link's body.
	 * A filter that fails leaves the body as the origin sent it, with a log line, as for a stream's first response.
	 */
	private static Content pageContent(LinkPage page) {
		HoldInstruction hold = page.instruct().hold();
		if (hold == null) {
			return page.body();
		}
		try {
			return ContentFilters.applyToResponse(hold.channels().stream().map(ChannelSubscription::filters).toList(),
					page.instruct().meta(), page.body());
		}
		catch (ContentFilterException ex) {
			logger.info("Next-link page " + page.uri() + " appended unfiltered: " + ex.getMessage());
			return page.body();
		}
	}

	/** Pushpin drops queued items that do not follow the page's prev-ids before sending the rest. */
	private void dropPendingThatDoNotFollow() {
		while (!this.pending.isEmpty()) {
			PublishItem item = this.pending.peekFirst().item();
			String last = this.ids.get(item.channel());
			boolean follows = channel(item.channel()) != null && (last == null || last.equals(item.prevId()));
			if (follows) {
				return;
			}
			this.pending.removeFirst();
			dropped(DropReason.OUT_OF_SEQUENCE);
		}
	}

	private void fetchFailed(URI link, Throwable error, RecoveryCause cause) {
		logger.warn("Ending a stream: its next link " + link + " could not be fetched (" + error.getMessage() + ")");
		recoveryEnded(cause, false);
		complete(HoldOutcome.RECOVERY_FAILED);
	}

	private void setNext(@Nullable NextLink link) {
		URI base = this.base;
		if (link == null || base == null) {
			this.next = null;
			return;
		}
		this.next = base.resolve(link.uri());
		this.nextTimeout = link.timeout();
	}

	/** Pushpin's next-link timeout: restarted only once every channel has had a delivery since it last started. */
	private void noteActivity(String channel) {
		if (this.next == null || this.nextTimeout.isZero()) {
			return;
		}
		this.active.add(channel);
		if (this.active.containsAll(channelNames())) {
			this.active.clear();
			scheduleIdleRefresh();
		}
	}

	private void scheduleIdleRefresh() {
		if (this.next == null || this.nextTimeout.isZero() || this.finished || this.output == null) {
			this.idleTask.update(Disposables.disposed());
			return;
		}
		this.idleTask.update(this.timer.schedule(() -> recover(RecoveryCause.IDLE), this.nextTimeout.toNanos(),
				TimeUnit.NANOSECONDS));
	}

	/** Ends the chunked body cleanly after what is already queued, as a {@code close} publish does. */
	@Override
	public void drain() {
		complete(HoldOutcome.DRAINED);
	}

	private void complete(HoldOutcome outcome) {
		// recorded first: the end may unregister this hold at once; a no-op when it has already ended
		endWith(outcome);
		synchronized (this) {
			if (this.finished) {
				return;
			}
			flushBatch();
			this.finished = true;
			this.pending.clear();
			this.idleTask.dispose();
			this.fetch.dispose();
			this.lookup.dispose();
			if (this.output != null) {
				this.output.end();
			}
		}
	}

	private enum Emitted {

		QUEUED, HANDED, OVERFLOW, ENDED

	}

	private void emit(Queued queued) {
		List<Queued> batch = this.batch;
		if (batch != null) {
			batch.add(queued);
		}
		else {
			write(queued);
		}
	}

	/** Offers one write to the output, and accounts for what it carries. */
	private void write(Queued queued) {
		Emitted emitted = offer(queued);
		if (emitted == Emitted.HANDED) {
			reportDelivered(queued);
		}
		else if (emitted == Emitted.OVERFLOW) {
			overflowed();
			queued.items().stream().filter(Queued::published).forEach(item -> dropped(DropReason.QUEUE_OVERFLOW));
			this.evict.run();
		}
		else if (emitted == Emitted.ENDED) {
			queued.items().stream().filter(Queued::published).forEach(item -> dropped(DropReason.ENDED));
		}
	}

	/**
	 * Runs {@code work} with what it emits gathered into one write. A catch-up (a replay from history, the items that
	 * waited for a fetch) may be as long as the history or the wait queue: item by item it would fill the client's
	 * queue at once, and the client, evicted as too slow, would come back to the same catch-up. Caller holds the monitor.
	 */
	private void inOneWrite(Runnable work) {
		this.batch = new ArrayList<>();
		try {
			work.run();
			flushBatch();
		}
		finally {
			this.batch = null;
		}
	}

	/** Emits what the running catch-up has gathered so far, e.g. before the response ends. Caller holds the monitor. */
	private void flushBatch() {
		List<Queued> batch = this.batch;
		if (batch != null && !batch.isEmpty()) {
			Queued joined = Queued.join(batch);
			batch.clear();
			write(joined);
		}
	}

	private synchronized Emitted offer(Queued queued) {
		if (this.finished) {
			return Emitted.ENDED;
		}
		Emitted emitted;
		Output output = this.output;
		if (output != null) {
			emitted = output.write(queued.content()) ? Emitted.HANDED : Emitted.OVERFLOW;
		}
		else if (this.early.size() < this.capacity) {
			this.early.add(queued);
			emitted = Emitted.QUEUED;
		}
		else {
			emitted = Emitted.OVERFLOW;
		}
		if (emitted == Emitted.OVERFLOW) {
			this.finished = true;
		}
		else {
			this.lastWriteNanos = System.nanoTime();
		}
		return emitted;
	}

	// the latency is taken as an item is handed to the socket's writer
	private void reportDelivered(Queued queued) {
		if (queued.joined().isEmpty()) {
			// the fan-out's path, once per stream: no list for a lone item
			if (queued.published()) {
				delivered(queued.publishedAtMillis());
			}
			return;
		}
		for (Queued item : queued.joined()) {
			reportDelivered(item);
		}
	}

	private synchronized void scheduleKeepAlive() {
		KeepAlive keepAlive = this.keepAlive;
		if (keepAlive == null || this.finished || this.output == null) {
			return;
		}
		long timeoutNanos = keepAlive.timeout().toNanos();
		long delayNanos = timeoutNanos;
		if (keepAlive.mode() == KeepAliveMode.IDLE) {
			// in idle mode every write restarts the silence, so wait out what is left of it
			long sinceWrite = System.nanoTime() - this.lastWriteNanos;
			delayNanos = Math.max(0, timeoutNanos - sinceWrite);
		}
		this.keepAliveTask = this.timer.schedule(this::keepAliveDue, delayNanos, TimeUnit.NANOSECONDS);
	}

	private void keepAliveDue() {
		KeepAlive keepAlive;
		synchronized (this) {
			keepAlive = this.keepAlive;
		}
		if (keepAlive == null) {
			return;
		}
		boolean quiet = keepAlive.mode() == KeepAliveMode.INTERVAL
				|| System.nanoTime() - this.lastWriteNanos >= keepAlive.timeout().toNanos();
		if (quiet) {
			emit(new Queued(keepAlive.data(), NOT_PUBLISHED));
		}
		scheduleKeepAlive();
	}

}
