package io.gripway.test;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** A missing tool skips a test on a developer's machine and fails it in CI. */
class PrerequisitesTests {

	@Test
	void ciIsOnForAnyValueButFalse() {
		assertThat(Prerequisites.required("true")).isTrue();
		assertThat(Prerequisites.required("1")).isTrue();
		assertThat(Prerequisites.required(null)).isFalse();
		assertThat(Prerequisites.required("")).isFalse();
		assertThat(Prerequisites.required("false")).isFalse();
	}

	@Test
	void missingToolFailsInCiNamingIt() {
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> Prerequisites.missing("redis-server", "not on the PATH", true))
			.withMessageStartingWith("missing prerequisite 'redis-server': not on the PATH");
	}

	@Test
	void missingToolSkipsOutsideCi() {
		assertThatExceptionOfType(TestAbortedException.class)
			.isThrownBy(() -> Prerequisites.missing("npm", "not on the PATH", false))
			.withMessage("missing prerequisite 'npm': not on the PATH");
	}

}
