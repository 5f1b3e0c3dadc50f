package io.gripway.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.gripway.hold.Hold;
import io.gripway.hold.HoldRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Ends every held connection cleanly when the node shuts down (SIGTERM closes the Spring context), instead of letting
 * the web server cut them: readiness goes DOWN first, new holds are refused with 503 (the client's retry goes to the
 * next replica), and the held connections are ended one by one, evenly over the drain window, so their clients do not
 * all reconnect to the other replicas in the same instant. A long-poll gets its timeout response, a stream the end of
 * its chunked body, a WebSocket close code 1012; each hold decides how ({@link Hold#drain()}).
 *
 * <h3>Lifecycle</h3> Runs in {@link #stop()}, in the highest phase, so before the web server's graceful shutdown
 * ({@code WebServerGracefulShutdownLifecycle}) and before the management server stops: the readiness endpoint answers
 * DOWN throughout. The publish server has the same phase but depends on nothing here; this bean is declared to depend
 * on it, so Spring stops this one first and publishes keep reaching the connections not drained yet. {@code stop()}
 * returns after at most {@code window + flushTimeout}.
 *
 * <h3>Thread safety</h3> {@code start} and {@code stop} are called by Spring's lifecycle processor, one at a time.
 */
public final class GracefulDrain implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(GracefulDrain.class);

	private final HoldRegistry registry;

	private final ApplicationEventPublisher events;

	private final Duration window;

	private final Duration flushTimeout;

	private volatile boolean running;

	/**
	 * @param window the held connections are ended evenly over this long
	 * @param flushTimeout after the last one was told to end, how long to wait for the endings to be written
	 */
	public GracefulDrain(HoldRegistry registry, ApplicationEventPublisher events, Duration window,
			Duration flushTimeout) {
		this.registry = registry;
		this.events = events;
		this.window = window;
		this.flushTimeout = flushTimeout;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		this.registry.startDraining();
		List<Hold> held = this.registry.held();
		logger.info("Draining " + held.size() + " held connection(s) over " + this.window.toMillis() + " ms");
		long started = System.nanoTime();
		long windowNanos = this.window.toNanos();
		for (int i = 0; i < held.size(); i++) {
			// the i-th of n ends at i/n of the window: the first at once, the last one slot before its end
			sleepUntil(started + windowNanos / held.size() * i);
			drain(held.get(i));
		}
		// a hold registering concurrently with startDraining() may have missed the snapshot
		this.registry.held().forEach(GracefulDrain::drain);
		long flushDeadline = System.nanoTime() + this.flushTimeout.toNanos();
		while (this.registry.heldCount() > 0 && System.nanoTime() < flushDeadline) {
			sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
		}
		long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
		int left = this.registry.heldCount();
		if (left > 0) {
			logger.warn("Drain ended after " + tookMillis + " ms with " + left + " connection(s) still open");
		}
		else {
			logger.info("Drained in " + tookMillis + " ms");
		}
	}

	private static void drain(Hold hold) {
		try {
			hold.drain();
		}
		catch (RuntimeException ex) {
			// one broken connection must not keep the others from ending cleanly
			logger.warn("Draining a " + hold.kind().tag() + " hold failed", ex);
		}
	}

	private static void sleepUntil(long deadlineNanos) {
		long remaining = deadlineNanos - System.nanoTime();
		if (remaining <= 0) {
			return;
		}
		try {
			TimeUnit.NANOSECONDS.sleep(remaining);
		}
		catch (InterruptedException ex) {
			// shutting down anyway: finish the drain without the pauses rather than abandon the connections
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** The highest phase: stopped before the web server's graceful shutdown and the management server. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

}
