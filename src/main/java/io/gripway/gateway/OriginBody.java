package io.gripway.gateway;

import java.io.ByteArrayOutputStream;
import java.time.Duration;

import io.gripway.http.Content;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.NettyInbound;


/**
 * The body of an origin response that carried GRIP instructions, read from the origin connection that
 * {@link GripFilter} took over from the gateway's response writer. It is read exactly once: aggregated (bounded) for
 * instructions and long-polls, or streamed for a stream hold; {@link #discard()} drops the connection when it is not
 * read to the end.
 */
final class OriginBody {

	// cleared once the body has been read to its end: the connection is then back in the pool, possibly serving another
	// request, so it must not be closed; and a stream hold that outlives its origin's body must not keep it
	private volatile @Nullable Connection connection;

	OriginBody(Connection connection) {
		this.connection = connection;
	}

	/** The whole body, or {@link OriginBodyTooLargeException} once it passes {@code limit} bytes. */
	Mono<Content> aggregate(long limit) {
		return read(inbound().receive(), limit).doOnSuccess(content -> this.connection = null);
	}

	/**
	 * A whole body, copied out of its buffers as they come (Reactor Netty releases each after), or
	 * {@link OriginBodyTooLargeException} once it passes {@code limit} bytes.
	 */
	static Mono<Content> read(Flux<ByteBuf> body, long limit) {
		return body
			.collect(ByteArrayOutputStream::new, (out, chunk) -> {
				if (out.size() + chunk.readableBytes() > limit) {
					throw new OriginBodyTooLargeException(limit);
				}
				byte[] bytes = new byte[chunk.readableBytes()];
				chunk.readBytes(bytes);
				out.writeBytes(bytes);
			})
			.map(out -> Content.adopt(out.toByteArray()));
	}

	/** The body as it arrives, each chunk retained for the client's response, which releases it once written. */
	Flux<ByteBuf> stream() {
		return inbound().receive().retain().doOnComplete(() -> this.connection = null);
	}

	private NettyInbound inbound() {
		Connection connection = this.connection;
		if (connection == null) {
			throw new IllegalStateException("The origin's body has already been read");
		}
		return connection.inbound();
	}

	/**
	 * Reads what is left of the body, for a response that will not use it, for at most {@code limit}; then, or when
	 * the body is longer than {@code maxBytes}, gives up on the rest ({@link #discard()}). Reading it releases what
	 * Reactor Netty already received: closing the connection alone leaves that unreleased.
	 */
	Mono<Void> drain(long maxBytes, Duration limit) {
		return Mono.defer(() -> (this.connection != null) ? aggregate(maxBytes).then() : Mono.<Void>empty())
			.timeout(limit)
			.onErrorResume(error -> Mono.empty())
			.doFinally(signal -> discard());
	}

	/** Gives up on the rest of the body: the origin connection is closed rather than returned to the pool. */
	void discard() {
		Connection connection = this.connection;
		if (connection != null && !connection.isDisposed()) {
			connection.dispose();
		}
	}

}
