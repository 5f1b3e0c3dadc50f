package io.gripway.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/** The recovery rate limit: batches of one key, a fixed number of batches per second, on a virtual clock. */
class RecoveryLimiterTests {

	final VirtualTimeScheduler time = VirtualTimeScheduler.create();

	final RecoveryLimiter limiter = new RecoveryLimiter(this.time, 10, 3);

	final List<String> admitted = new ArrayList<>();

	Disposable admit(String key, String who) {
		return this.limiter.admit(key).subscribe(null, null, () -> this.admitted.add(who));
	}

	@Test
	void anIdleLimiterLetsTheFirstBatchGoAtOnce() {
		admit("/a", "a1");
		this.time.advanceTimeBy(Duration.ZERO);
		assertThat(this.admitted).containsExactly("a1");
	}

	@Test
	void recoveriesOfOneKeyGoTogetherUpToTheBatchSize() {
		for (int n = 1; n <= 6; n++) {
			admit("/a", "a" + n);
		}
		// the first found the limiter idle; the others batch up behind it, three at a time
		assertThat(this.admitted).containsExactly("a1");
		assertThat(this.limiter.waiting()).isEqualTo(5);
		this.time.advanceTimeBy(Duration.ofMillis(99));
		assertThat(this.admitted).hasSize(1);
		this.time.advanceTimeBy(Duration.ofMillis(1));
		assertThat(this.admitted).containsExactly("a1", "a2", "a3", "a4");
		this.time.advanceTimeBy(Duration.ofMillis(100));
		assertThat(this.admitted).containsExactly("a1", "a2", "a3", "a4", "a5", "a6");
		assertThat(this.limiter.waiting()).isZero();
	}

	@Test
	void differentKeysTakeTurnsAtTheRate() {
		for (int n = 1; n <= 20; n++) {
			admit("/link-" + n, "k" + n);
		}
		this.time.advanceTimeBy(Duration.ofMillis(999));
		// 10 batches per second: the one at 0 ms and nine more by 900 ms
		assertThat(this.admitted).hasSize(10);
		this.time.advanceTimeBy(Duration.ofSeconds(1));
		assertThat(this.admitted).hasSize(20);
	}

	@Test
	void aCancelledRecoveryGivesUpItsPlace() {
		admit("/a", "a1");
		Disposable second = admit("/b", "b1");
		admit("/c", "c1");
		this.time.advanceTimeBy(Duration.ZERO);
		second.dispose();
		this.time.advanceTimeBy(Duration.ofMillis(100));
		assertThat(this.admitted).containsExactly("a1", "c1");
	}

}
