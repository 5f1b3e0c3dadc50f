package io.gripway.hold;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Gathers the tasks a fan-out hands to other threads, so each executor gets one task per {@value #SLICE} subscribers
 * instead of one per subscriber.
 *
 * <p>
 * A publish to 10,000 streams spread over a few event loops would otherwise queue 10,000 tasks and wake each loop
 * again and again while the fan-out is still going: every wake-up costs a system call on both sides, and a loop woken
 * early writes a few streams, sleeps and is woken again. Within a round ({@link #run}), a writer that would
 * {@code execute} a task on its event loop {@link #defer defers} it instead; each executor receives one task that runs
 * what was deferred to it, in the order it was deferred, whenever {@value #SLICE} have gathered for it and when the
 * round ends.
 *
 * <p>
 * Why slices rather than one task at the end: preparing a subscriber's write takes the fan-out's thread a fraction of
 * what the event loop's write system call takes, but for 10,000 streams it still adds up to tens of milliseconds
 * during which the loops would sit idle. Handed over a slice at a time, the loops write the first streams while the
 * rest are being prepared; a loop busy writing takes the next slice without a wake-up.
 *
 * <p>
 * A round belongs to the thread that runs it (the bus's delivery thread, or the timer releasing overdue items);
 * anything written from another thread (a keep-alive, the first content of a stream attaching) is not deferred.
 * Rounds do not nest: an inner {@link #run} joins the outer round.
 */
public final class FanOutRound {

	private static final Log logger = LogFactory.getLog(FanOutRound.class);

	/** Tasks an executor gathers before they are handed to it, within a round. */
	static final int SLICE = 256;

	private static final ThreadLocal<FanOutRound> CURRENT = new ThreadLocal<>();

	// few executors (the event loops), so a small identity map; the lists go to the executors and are not reused
	private final Map<Executor, List<Runnable>> deferred = new IdentityHashMap<>();

	private FanOutRound() {
	}

	/** Runs {@code fanOut} as one round, then hands each executor what is still deferred to it, as one task. */
	static void run(Runnable fanOut) {
		if (CURRENT.get() != null) {
			fanOut.run();
			return;
		}
		FanOutRound round = new FanOutRound();
		CURRENT.set(round);
		try {
			fanOut.run();
		}
		finally {
			CURRENT.remove();
			round.submit();
		}
	}

	/**
	 * Defers {@code task} to run on {@code executor} with the others of its slice: when the slice is full or the
	 * current thread's round ends, whichever comes first.
	 * @return false when this thread is not in a round: the caller executes the task itself
	 */
	public static boolean defer(Executor executor, Runnable task) {
		FanOutRound round = CURRENT.get();
		if (round == null) {
			return false;
		}
		List<Runnable> slice = round.deferred.computeIfAbsent(executor, (key) -> new ArrayList<>(SLICE));
		slice.add(task);
		if (slice.size() == SLICE) {
			round.deferred.remove(executor);
			hand(executor, slice);
		}
		return true;
	}

	private void submit() {
		this.deferred.forEach(FanOutRound::hand);
	}

	private static void hand(Executor executor, List<Runnable> tasks) {
		try {
			executor.execute(() -> runAll(tasks));
		}
		catch (RuntimeException ex) {
			// an event loop shutting down: its connections are closing, the other executors still get theirs
			logger.debug("Executor refused a fan-out's writes", ex);
		}
	}

	private static void runAll(List<Runnable> tasks) {
		for (Runnable task : tasks) {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				// one connection's failure must not keep the others on this executor from their writes
				logger.warn("A deferred write failed", ex);
			}
		}
	}

}
