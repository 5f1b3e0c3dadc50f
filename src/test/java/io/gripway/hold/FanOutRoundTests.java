package io.gripway.hold;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;

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
	void aLargeFanOutReachesEachExecutorASliceAtATimeWhileItGoesOn() {
		RecordingExecutor executor = new RecordingExecutor();
		RecordingExecutor other = new RecordingExecutor();
		List<Integer> ran = new ArrayList<>();
		FanOutRound.run(() -> {
			for (int i = 0; i < FanOutRound.SLICE - 1; i++) {
				int n = i;
				FanOutRound.defer(executor, () -> ran.add(n));
			}
			FanOutRound.defer(other, () -> ran.add(-1));
			assertThat(executor.tasks).isEmpty();
			int last = FanOutRound.SLICE - 1;
			FanOutRound.defer(executor, () -> ran.add(last));
			// a full slice goes out at once, before the fan-out ends; the other executor's does not
			assertThat(executor.tasks).hasSize(1);
			assertThat(other.tasks).isEmpty();
			FanOutRound.defer(executor, () -> ran.add(FanOutRound.SLICE));
			assertThat(executor.tasks).hasSize(1);
		});
		// the rest when the round ends
		assertThat(executor.tasks).hasSize(2);
		assertThat(other.tasks).hasSize(1);
		executor.tasks.forEach(Runnable::run);
		assertThat(ran).containsExactlyElementsOf(IntStream.rangeClosed(0, FanOutRound.SLICE).boxed().toList());
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
