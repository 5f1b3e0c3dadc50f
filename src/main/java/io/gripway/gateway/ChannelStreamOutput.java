package io.gripway.gateway;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.gripway.hold.FanOutRound;
import io.gripway.hold.StreamHold;
import io.gripway.http.Content;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.MonoSink;

/**
 * Writes a held stream's content on the client's channel, after the response's headers and first body.
 *
 * <p>
 * A publish reaches thousands of streams from one thread, so handing content over costs one task for the channel's
 * event loop when nothing is pending yet, and a queue offer behind the pending task otherwise. The task writes
 * everything waiting as one HTTP chunk with one flush: a lone message leaves at once, a burst for the same client
 * leaves in one segment. Within a fan-out the task is not handed to the event loop at once but
 * {@linkplain FanOutRound#defer deferred}: each event loop gets one task per slice of a fan-out's streams that writes
 * them all, instead of one task and possibly one wake-up per stream.
 *
 * <p>
 * The common case, a message for a stream with nothing pending, carries the content in the task rather than through
 * the queue. The output lives as long as its stream, so it sits in the old generation, and a queue offer stores a new
 * object into it: every stream a fan-out reached would then be an old-to-young reference that the next young
 * collection has to find by scanning. At 19.5k streams that scan was most of each young pause (bench/README.md, "GC
 * pauses at 19.5k streams": median 17.8 ms with the queue, 8.4 ms without).
 *
 * <h3>Through the HTTP codecs</h3> Each chunk is written as an {@code HttpContent} from the tail of the pipeline, as
 * any response body is, so the codecs between here and the socket apply to it: the content compressor of
 * {@code server.compression} (which skips a bare {@code ByteBuf}, unless Reactor Netty's subclass of it happens to wrap
 * one) and the HTTP/1.1 chunk encoder, or the HTTP/2 stream's frame codec for an h2 or h2c client. The one exception
 * is a plain chunked HTTP/1.1 response, whose chunks {@link Http1ChunkWriter} frames itself, beneath the codec, with
 * the same bytes: going through the codec cost each held stream a card for the next young collection to scan.
 *
 * <h3>Bounded</h3> Items count as waiting from {@link #write} until the socket has taken them; with {@code capacity}
 * waiting, a write is refused and the hold evicts its client.
 *
 * <h3>Threads</h3> {@link #write} and {@link #end()} come one at a time, from any thread (the hold calls them under its
 * lock); the writing runs on the channel's event loop.
 *
 * <h3>Lifecycle</h3> {@link #end()} completes {@code done} once what came before it is written, on the event loop,
 * so Reactor Netty's end of the response follows the last chunk. A channel that has closed takes nothing: what waits
 * is dropped.
 */
final class ChannelStreamOutput implements StreamHold.Output, Runnable {

	private static final Object END = new Object();

	private final Channel channel;

	private final int capacity;

	private final MonoSink<Void> done;

	private final @Nullable Http1ChunkWriter chunks;

	// a few bytes while empty, which a held stream mostly is (a chunked array queue would cost kilobytes each)
	private final Queue<Object> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger waiting = new AtomicInteger();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	/**
	 * @param framedAsChunks whether the response's head, already written, makes the HTTP/1.1 codec frame its body as
	 * chunks (see {@link Http1ChunkWriter})
	 */
	ChannelStreamOutput(Channel channel, int capacity, MonoSink<Void> done, boolean framedAsChunks) {
		this.channel = channel;
		this.capacity = capacity;
		this.done = done;
		this.chunks = Http1ChunkWriter.of(channel, framedAsChunks);
	}

	@Override
	public boolean write(Content content) {
		if (this.waiting.incrementAndGet() > this.capacity) {
			this.waiting.decrementAndGet();
			return false;
		}
		// the queue can only empty meanwhile, not fill: writes come one at a time
		if (this.queue.isEmpty() && this.scheduled.compareAndSet(false, true)) {
			// nothing waits and no task runs: the content rides with the task, and this long-lived object takes no
			// reference
			dispatch(() -> drain(content));
			return true;
		}
		this.queue.offer(content);
		schedule();
		return true;
	}

	@Override
	public void end() {
		this.queue.offer(END);
		schedule();
	}

	private void schedule() {
		if (this.scheduled.compareAndSet(false, true)) {
			dispatch(this);
		}
	}

	private void dispatch(Runnable task) {
		if (!FanOutRound.defer(this.channel.eventLoop(), task)) {
			this.channel.eventLoop().execute(task);
		}
	}

	/** On the event loop: everything waiting, as one {@code HttpContent}. */
	@Override
	public void run() {
		drain(null);
	}

	/**
	 * Writes {@code first} (when a write handed it over with the task), then what waits, while the flag says a task is
	 * running: a write meanwhile queues behind, so the queue's order is the order of the writes. Only then the flag is
	 * cleared, and what came in between the last look and that is taken too, unless a newer write took the flag.
	 */
	private void drain(@Nullable Object first) {
		Object next = first;
		do {
			if (writeWaiting(next)) {
				this.done.success();
				return;
			}
			next = null;
			this.scheduled.set(false);
		}
		while (!this.queue.isEmpty() && this.scheduled.compareAndSet(false, true));
	}

	/** @return whether the end was reached */
	private boolean writeWaiting(@Nullable Object first) {
		CompositeByteBuf batch = null;
		ByteBuf single = null;
		int count = 0;
		boolean end = false;
		Object next = first;
		while (next != null || (next = this.queue.poll()) != null) {
			Object current = next;
			next = null;
			if (current == END) {
				end = true;
				break;
			}
			Content content = (Content) current;
			count++;
			if (content.isEmpty()) {
				continue;
			}
			ByteBuf buffer = ClientResponses.buffer(content);
			if (single == null) {
				single = buffer;
			}
			else {
				if (batch == null) {
					batch = Unpooled.compositeBuffer(Integer.MAX_VALUE).addComponent(true, single);
				}
				batch.addComponent(true, buffer);
			}
		}
		ByteBuf chunk = (batch != null) ? batch : single;
		if (count > 0) {
			int written = count;
			if (chunk == null || !this.channel.isActive()) {
				if (chunk != null) {
					chunk.release();
				}
				this.waiting.addAndGet(-written);
			}
			else {
				ChannelPromise promise = this.channel.newPromise();
				promise.addListener(future -> this.waiting.addAndGet(-written));
				if (this.chunks != null) {
					this.chunks.writeAndFlush(chunk, promise);
				}
				else {
					this.channel.writeAndFlush(new DefaultHttpContent(chunk), promise);
				}
			}
		}
		return end;
	}

}
