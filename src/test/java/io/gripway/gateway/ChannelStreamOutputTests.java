package io.gripway.gateway;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.gripway.http.Content;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** A held stream's writer on a channel: what it writes, when, and what it refuses. */
class ChannelStreamOutputTests {

	private final EmbeddedChannel channel = new EmbeddedChannel();

	private final AtomicBoolean ended = new AtomicBoolean();

	@AfterEach
	void close() {
		this.channel.finishAndReleaseAll();
	}

	@Test
	void writesWhatWaitsAsOneChunkInOrder() {
		ChannelStreamOutput output = output(8);
		assertThat(output.write(Content.utf8("a"))).isTrue();
		assertThat(output.write(Content.utf8("b"))).isTrue();
		assertThat(output.write(Content.utf8("c"))).isTrue();
		assertThat((Object) this.channel.readOutbound()).as("nothing before the event loop runs").isNull();

		this.channel.runPendingTasks();

		assertThat(nextChunk()).isEqualTo("abc");
		assertThat((Object) this.channel.readOutbound()).isNull();
	}

	@Test
	void aLoneMessageLeavesAtOnce() {
		ChannelStreamOutput output = output(8);
		output.write(Content.utf8("first"));
		this.channel.runPendingTasks();
		output.write(Content.utf8("second"));
		this.channel.runPendingTasks();

		assertThat(nextChunk()).isEqualTo("first");
		assertThat(nextChunk()).isEqualTo("second");
	}

	@Test
	void aWriteArrivingWhileTheTaskWritesLeavesAfterItWithoutAnotherWake() {
		AtomicReference<ChannelStreamOutput> target = new AtomicReference<>();
		AtomicBoolean once = new AtomicBoolean();
		this.channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
			@Override
			public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
				// the hold writes again (another thread, in production) while the event loop is writing
				if (once.compareAndSet(false, true)) {
					target.get().write(Content.utf8("meanwhile"));
				}
				super.write(ctx, msg, promise);
			}
		});
		ChannelStreamOutput output = output(8);
		target.set(output);
		output.write(Content.utf8("first"));

		this.channel.runPendingTasks();

		assertThat(nextChunk()).isEqualTo("first");
		assertThat(nextChunk()).as("taken by the same task, not left waiting for the next write").isEqualTo("meanwhile");
		output.write(Content.utf8("then"));
		this.channel.runPendingTasks();
		assertThat(nextChunk()).isEqualTo("then");
		assertThat((Object) this.channel.readOutbound()).isNull();
	}

	@Test
	void contentHandedOverWithTheTaskStaysAheadOfWhatQueuesBehindIt() {
		ChannelStreamOutput output = output(8);
		output.write(Content.utf8("1"));
		this.channel.runPendingTasks();
		output.write(Content.utf8("2"));
		output.write(Content.utf8("3"));
		output.end();
		output.write(Content.utf8("after the end"));

		this.channel.runPendingTasks();

		assertThat(nextChunk()).isEqualTo("1");
		assertThat(nextChunk()).isEqualTo("23");
		assertThat(this.ended).isTrue();
		assertThat((Object) this.channel.readOutbound()).as("nothing after the end").isNull();
	}

	@Test
	void refusesMoreThanItsCapacityUntilTheSocketHasTakenThem() {
		ChannelStreamOutput output = output(2);
		assertThat(output.write(Content.utf8("1"))).isTrue();
		assertThat(output.write(Content.utf8("2"))).isTrue();
		assertThat(output.write(Content.utf8("3"))).as("two already waiting").isFalse();

		this.channel.runPendingTasks();

		assertThat(nextChunk()).isEqualTo("12");
		assertThat(output.write(Content.utf8("4"))).as("written, so no longer waiting").isTrue();
	}

	@Test
	void endsAfterWhatCameBefore() {
		ChannelStreamOutput output = output(8);
		output.write(Content.utf8("last words"));
		output.end();
		assertThat(this.ended).isFalse();

		this.channel.runPendingTasks();

		assertThat(nextChunk()).isEqualTo("last words");
		assertThat(this.ended).isTrue();
	}

	@Test
	void dropsWhatWaitsForAClosedChannel() {
		List<Object> attempted = new CopyOnWriteArrayList<>();
		this.channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
			@Override
			public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
				attempted.add(msg);
				super.write(ctx, msg, promise);
			}
		});
		ChannelStreamOutput output = output(2);
		assertThat(output.write(Content.utf8("too "))).isTrue();
		assertThat(output.write(Content.utf8("late"))).isTrue();
		output.end();

		// the client goes while the write task waits (through the pipeline: EmbeddedChannel.close() would run the
		// task first); the task runs after the close and before the pipeline is torn down
		this.channel.pipeline().close();
		assertThat(this.channel.isActive()).isFalse();
		this.channel.runPendingTasks();

		assertThat(attempted).as("nothing written to a closed channel").isEmpty();
		assertThat(this.ended).as("the end still completes").isTrue();
		assertThat(output.write(Content.utf8("1"))).isTrue();
		assertThat(output.write(Content.utf8("2"))).as("what was dropped no longer counts as waiting").isTrue();
		assertThat(output.write(Content.utf8("3"))).isFalse();
	}

	private ChannelStreamOutput output(int capacity) {
		AtomicReference<ChannelStreamOutput> output = new AtomicReference<>();
		Mono.<Void>create(done -> output.set(new ChannelStreamOutput(this.channel, capacity, done, false)))
			.doOnSuccess(nothing -> this.ended.set(true))
			.subscribe();
		return output.get();
	}

	private String nextChunk() {
		HttpContent content = this.channel.readOutbound();
		assertThat(content).isNotNull();
		ByteBuf chunk = content.content();
		try {
			return chunk.toString(StandardCharsets.UTF_8);
		}
		finally {
			chunk.release();
		}
	}

}
