package io.gripway.hold;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FanOutRoundTests {

	@Test
	void outsideARoundNothingIsDeferred() {
		RecordingExecutor executor = new RecordingExecutor();
		assertThat(FanOutRound.defer(executor, () -> {
		})).isFalse();
		assertThat(executor.tasks).isEmpty();
	}

	@Test
	void eachExecutorGetsOneTaskPerRoundRunningWhatWasDeferredInOrder() {
		RecordingExecutor first = new RecordingExecutor();
		RecordingExecutor second = new RecordingExecutor();
		List<String> ran = new ArrayList<>();
		FanOutRound.run(() -> {
			assertThat(FanOutRound.defer(first, () -> ran.add("a1"))).isTrue();
			assertThat(FanOutRound.defer(second, () -> ran.add("b1"))).isTrue();
			assertThat(FanOutRound.defer(first, () -> ran.add("a2"))).isTrue();
			// nothing reaches an executor before the round ends
			assertThat(first.tasks).isEmpty();
			assertThat(second.tasks).isEmpty();
		});
		assertThat(first.tasks).hasSize(1);
		assertThat(second.tasks).hasSize(1);
		first.tasks.get(0).run();
		assertThat(ran).containsExactly("a1", "a2");
		second.tasks.get(0).run();
		assertThat(ran).containsExactly("a1", "a2", "b1");
	}

	@Test
	void anInnerRoundJoinsTheOuterOne() {
		RecordingExecutor executor = new RecordingExecutor();
		List<String> ran = new ArrayList<>();
		FanOutRound.run(() -> {
			FanOutRound.defer(executor, () -> ran.add("outer"));
			FanOutRound.run(() -> FanOutRound.defer(executor, () -> ran.add("inner")));
			assertThat(executor.tasks).isEmpty();
		});
		assertThat(executor.tasks).hasSize(1);
		executor.tasks.get(0).run();
		assertThat(ran).containsExactly("outer", "inner");
	}

	@Test
	void aFailingTaskDoesNotStopTheOthers() {
		RecordingExecutor executor = new RecordingExecutor();
		List<String> ran = new ArrayList<>();
		FanOutRound.run(() -> {
			FanOutRound.defer(executor, () -> {
				throw new IllegalStateException("broken connection");
			});
			FanOutRound.defer(executor, () -> ran.add("healthy"));
		});
		executor.tasks.get(0).run();
		assertThat(ran).containsExactly("healthy");
	}

	@Test
	void theRoundEndsEvenWhenTheFanOutThrows() {
		RecordingExecutor executor = new RecordingExecutor();
		try {
			FanOutRound.run(() -> {
				FanOutRound.defer(executor, () -> {
				});
				throw new IllegalStateException("fan-out failed");
			});
		}
		catch (IllegalStateException expected) {
			// what was deferred before the failure still goes out, and this thread is no longer in a round
		}
		assertThat(executor.tasks).hasSize(1);
		assertThat(FanOutRound.defer(executor, () -> {
		})).isFalse();
	}

	private static final class RecordingExecutor implements Executor {

		final List<Runnable> tasks = new ArrayList<>();

		@Override
		public void execute(Runnable command) {
			this.tasks.add(command);
		}

	}

}
