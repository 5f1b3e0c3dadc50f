package io.gripway.server;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Closes a connection whose request headers take longer than a deadline to arrive, measured from the request's first
 * byte to the end of its headers: the slow-loris defence. Reactor Netty's {@code idleTimeout} cannot do this alone, as
 * it restarts with every byte, so a client dribbling one header byte a second would hold the connection (and its
 * memory) forever; Reactor Netty's {@code readTimeout} and {@code requestTimeout} only start once the headers are in.
 * The wait for a connection's next request is left to {@code idleTimeout}.
 *
 * <p>
 * Two handlers share one state per connection: one before the HTTP decoder sees the first raw byte of a request and
 * starts the deadline; one after it sees the decoded request and stops it. A request being answered (a held
 * long-poll or stream, a WebSocket) is never timed: the deadline starts again only once every response is complete,
 * and never after a {@code 101 Switching Protocols}.
 *
 * <h3>Thread safety</h3> Each connection's state is touched only on its event loop.
 */
public final class RequestHeaderTimeout {

	private static final Log logger = LogFactory.getLog(RequestHeaderTimeout.class);

	private static final String FIRST_BYTE = "gripway.requestHeaderTimeout.firstByte";

	/**
	 * The name of the handler after the HTTP codec; of a response it looks only at the head and the last content, so a
	 * body chunk may pass it by.
	 */
	public static final String HEADERS_DONE = "gripway.requestHeaderTimeout.headersDone";

	private RequestHeaderTimeout() {
	}

	/** Adds the deadline to every connection of {@code server}; a zero or negative {@code timeout} adds nothing. */
	public static HttpServer install(HttpServer server, Duration timeout) {
		if (timeout.isZero() || timeout.isNegative()) {
			return server;
		}
		long nanos = timeout.toNanos();
		return server.doOnChannelInit((observer, channel, remoteAddress) -> install(channel, nanos));
	}

	static void install(Channel channel, long nanos) {
		ChannelPipeline pipeline = channel.pipeline();
		if (pipeline.get(NettyPipeline.HttpCodec) == null) {
			return; // not HTTP/1.1 (nothing else is served here)
		}
		State state = new State(nanos);
		pipeline.addBefore(NettyPipeline.HttpCodec, FIRST_BYTE, state.firstByte);
		pipeline.addAfter(NettyPipeline.HttpCodec, HEADERS_DONE, state.headersDone);
	}

	/** One connection's deadline. */
	private static final class State {

		private static final long NOT_ARMED = Long.MIN_VALUE;

		private final long nanos;

		/** Requests whose headers are in and whose response is not complete. */
		private int inFlight;

		/** After a 101 the connection speaks another protocol: never timed again. */
		private boolean upgraded;

		/** When the current request's first byte arrived ({@link System#nanoTime()}), or {@link #NOT_ARMED}. */
		private long armedAt = NOT_ARMED;

		/** The one pending check of {@link #armedAt}, if any. */
		private @Nullable ScheduledFuture<?> check;

		final ChannelInboundHandlerAdapter firstByte = new ChannelInboundHandlerAdapter() {

			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				if (msg instanceof ByteBuf bytes && bytes.isReadable() && State.this.inFlight == 0
						&& !State.this.upgraded && State.this.armedAt == NOT_ARMED) {
					arm(ctx);
				}
				ctx.fireChannelRead(msg);
			}

			@Override
			public void channelInactive(ChannelHandlerContext ctx) {
				stop();
				ctx.fireChannelInactive();
			}

		};

		final ChannelDuplexHandler headersDone = new ChannelDuplexHandler() {

			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				if (msg instanceof HttpRequest) {
					State.this.inFlight++;
					disarm();
				}
				ctx.fireChannelRead(msg);
			}

			@Override
			public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
				if (msg instanceof HttpResponse response
						&& HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
					State.this.upgraded = true;
				}
				if (msg instanceof LastHttpContent && State.this.inFlight > 0) {
					State.this.inFlight--;
				}
				ctx.write(msg, promise);
			}

		};

		State(long nanos) {
			this.nanos = nanos;
		}

		/**
		 * Starts the deadline. The timer is lazy: a keep-alive connection starts and stops the deadline on every
		 * request, and a task scheduled and cancelled each time showed in a plain request's profile (3 µs of about
		 * 250), so only the start is noted here, and one pending check per connection looks at it when due.
		 */
		private void arm(ChannelHandlerContext ctx) {
			this.armedAt = System.nanoTime();
			if (this.check == null) {
				schedule(ctx.channel(), this.nanos);
			}
		}

		private void disarm() {
			this.armedAt = NOT_ARMED;
		}

		private void schedule(Channel channel, long delay) {
			this.check = channel.eventLoop().schedule(() -> check(channel), delay, TimeUnit.NANOSECONDS);
		}

		private void check(Channel channel) {
			this.check = null;
			if (this.armedAt == NOT_ARMED || !channel.isActive()) {
				return;
			}
			long waited = System.nanoTime() - this.armedAt;
			if (waited < this.nanos) {
				schedule(channel, this.nanos - waited);
				return;
			}
			this.armedAt = NOT_ARMED;
			if (this.inFlight == 0) {
				if (logger.isDebugEnabled()) {
					logger.debug("Closing " + channel.remoteAddress() + ": request headers not received within "
							+ Duration.ofNanos(this.nanos));
				}
				channel.close();
			}
		}

		private void stop() {
			this.armedAt = NOT_ARMED;
			ScheduledFuture<?> pending = this.check;
			if (pending != null) {
				pending.cancel(false);
				this.check = null;
			}
		}

	}

}
