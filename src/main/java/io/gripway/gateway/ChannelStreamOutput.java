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
import reactor.core.publisher.MonoSink;

/**
 * Writes a held stream's content on the client's channel, after the response's headers and first body.
 *
 * <p>
 * A publish reaches thousands of streams from one thread, so handing content over costs a queue offer and, when the
 * channel has nothing pending yet, one task for its event loop. The task writes everything waiting as one HTTP chunk
 * with one flush: a lone message leaves at once, a burst for the same client leaves in one segment. Within a fan-out
 * the task is not handed to the event loop at once but {@linkplain FanOutRound#defer deferred}: each event loop gets
 * one task per fan-out that writes all of its streams, instead of one task and possibly one wake-up per stream.
 *
 * <h3>Through the HTTP codecs</h3> Each chunk is written as an {@code HttpContent} from the tail of the pipeline, as
 * any response body is, so the codecs between here and the socket apply to it: the content compressor of
 * {@code server.compression} (which skips a bare {@code ByteBuf}, unless Reactor Netty's subclass of it happens to wrap
 * one) and the HTTP/1.1 chunk encoder, or the HTTP/2 stream's frame codec for an h2 or h2c client. The codec decides
 * the framing; nothing here assumes HTTP/1.1.
 *
 * <h3>Bounded</h3> Items count as waiting from {@link #write} until the socket has taken them; with {@code capacity}
 * waiting, a write is refused and the hold evicts its client.
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

	// a few bytes while empty, which a held stream mostly is (a chunked array queue would cost kilobytes each)
	private final Queue<Object> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger waiting = new AtomicInteger();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	ChannelStreamOutput(Channel channel, int capacity, MonoSink<Void> done) {
		this.channel = channel;
		this.capacity = capacity;
		this.done = done;
	}

	@Override
	public boolean write(Content content) {
		if (this.waiting.incrementAndGet() > this.capacity) {
			this.waiting.decrementAndGet();
			return false;
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
		if (this.scheduled.compareAndSet(false, true) && !FanOutRound.defer(this.channel.eventLoop(), this)) {
			this.channel.eventLoop().execute(this);
		}
	}

	/** On the event loop: everything waiting, as one {@code HttpContent}. */
	@Override
	public void run() {
		this.scheduled.set(false);
		CompositeByteBuf batch = null;
		ByteBuf single = null;
		int count = 0;
		boolean end = false;
		Object next;
		while ((next = this.queue.poll()) != null) {
			if (next == END) {
				end = true;
				break;
			}
			Content content = (Content) next;
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
				this.channel.writeAndFlush(new DefaultHttpContent(chunk), promise);
			}
		}
		if (end) {
			this.done.success();
		}
	}

}
