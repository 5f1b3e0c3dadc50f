package io.gripway.test;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waiting for a condition in integration tests: polls, and fails with a description when time runs out. */
public final class Await {

	private Await() {
	}

	public static void until(String what, Duration limit, BooleanSupplier condition) {
		until(limit, condition, () -> what);
	}

	public static void until(Duration limit, BooleanSupplier condition, Supplier<String> what) {
		long deadline = System.nanoTime() + limit.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("timed out after " + limit + " waiting for: " + what.get());
			}
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("interrupted waiting for: " + what.get());
			}
		}
	}

}
