package io.gripway.hold;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecentIdsTests {

	static final long TTL = TimeUnit.SECONDS.toNanos(60);

	@Test
	void repeatWithinTheTtlIsRecognisedPerChannel() {
		RecentIds ids = new RecentIds(TTL, 100);
		assertThat(ids.firstSighting("a", "1", 0)).isTrue();
		assertThat(ids.firstSighting("a", "1", 1)).isFalse();
		assertThat(ids.firstSighting("b", "1", 2)).isTrue();
	}

	@Test
	void idIsForgottenAfterTheTtl() {
		RecentIds ids = new RecentIds(TTL, 100);
		ids.firstSighting("a", "1", 0);
		assertThat(ids.firstSighting("a", "1", TTL)).isTrue();
	}

	@Test
	void capacityBoundsMemoryByForgettingTheOldest() {
		RecentIds ids = new RecentIds(TTL, 2);
		ids.firstSighting("a", "1", 0);
		ids.firstSighting("a", "2", 1);
		ids.firstSighting("a", "3", 2);
		assertThat(ids.firstSighting("a", "1", 3)).isTrue();
		assertThat(ids.firstSighting("a", "3", 4)).isFalse();
	}

}
