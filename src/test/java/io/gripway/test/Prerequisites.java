package io.gripway.test;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when a tool it needs is missing (a {@code redis-server}, Docker, {@code node}/{@code npm}): on a
 * developer's machine the test is aborted (reported as skipped) with what to install; in CI (the {@code CI}
 * environment variable is set, as {@code .ci/run} and hosted CI runners do) it fails, so a missing tool can never make
 * the suite green by running less of it.
 */
public final class Prerequisites {

	private Prerequisites() {
	}

	/** Whether missing tools fail tests instead of skipping them. */
	public static boolean required() {
		return required(System.getenv("CI"));
	}

	static boolean required(@Nullable String ci) /* for testing */ {
		return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
	}

	/**
	 * Stops the test because {@code tool} is missing: fails in CI, aborts elsewhere. Declared to return so callers can
	 * {@code throw} or {@code return} it where the compiler wants a value; it never returns.
	 */
	public static <T> T missing(String tool, String why) {
		return missing(tool, why, required());
	}

	static <T> T missing(String tool, String why, boolean required) /* for testing */ {
		String message = "missing prerequisite '" + tool + "': " + why;
		if (required) {
			throw new AssertionError(message + " (CI is set: a missing tool fails the build instead of skipping tests)");
		}
		return Assumptions.abort(message);
	}

	/** {@link #missing} unless {@code present}. */
	public static void require(boolean present, String tool, String why) {
		if (!present) {
			missing(tool, why);
		}
	}

}
