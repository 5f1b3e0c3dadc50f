package io.gripway.hold;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Gathers the tasks a fan-out hands to other threads, so each executor gets one task per fan-out instead of one per
 * subscriber.
 *
 * <p>
 * A publish to 10,000 streams spread over a few event loops would otherwise queue 10,000 tasks and wake each loop
 * again and again while the fan-out is still going: every wake-up costs a system call on both sides, and a loop woken
 * early writes a few streams, sleeps and is woken again. Within a round ({@link #run}), a writer that would
 * {@code execute} a task on its event loop {@link #defer defers} it instead; when the round ends, each executor
 * receives one task that runs what was deferred to it, in the order it was deferred.
 *
 * <p>
 * A round belongs to the thread that runs it (the bus's delivery thread, or the timer releasing overdue items);
 * anything written from another thread (a keep-alive, the first content of a stream attaching) is not deferred.
 * Rounds do not nest: an inner {@link #run} joins the outer round.
 */
public final class FanOutRound {

	private static final Log logger = LogFactory.getLog(FanOutRound.class);

	private static final ThreadLocal<FanOutRound> CURRENT = new ThreadLocal<>();

	// few executors (the event loops), so a small identity map; the lists go to the executors and are not reused
	private final Map<Executor, List<Runnable>> deferred = new IdentityHashMap<>();

	private FanOutRound() {
	}

	/** Runs {@code fanOut} as one round, then hands each executor what was deferred to it, as one task. */
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
	 * Defers {@code task} to the end of the current thread's round, to run on {@code executor}.
	 * @return false when this thread is not in a round: the caller executes the task itself
	 */
	public static boolean defer(Executor executor, Runnable task) {
		FanOutRound round = CURRENT.get();
		if (round == null) {
			return false;
		}
		round.deferred.computeIfAbsent(executor, (key) -> new ArrayList<>()).add(task);
		return true;
	}

	private void submit() {
		this.deferred.forEach((executor, tasks) -> {
			try {
				executor.execute(() -> runAll(tasks));
			}
			catch (RuntimeException ex) {
				// an event loop shutting down: its connections are closing, the other executors still get theirs
				logger.debug("Executor refused a fan-out's writes", ex);
			}
		});
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
