package io.gripway.gateway;

import java.io.ByteArrayOutputStream;

import io.gripway.http.Content;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

/**
 * The body of an origin response that carried GRIP instructions, read from the origin connection that
 * {@link GripFilter} took over from the gateway's response writer. It is read exactly once: aggregated (bounded) for
 * instructions and long-polls, or streamed for a stream hold; {@link #discard()} drops the connection when it is not
 * read to the end.
 */
final class OriginBody {

	private final Connection connection;

	// once the body has been read to its end the connection is back in the pool, possibly serving another request,
	// so it must not be closed
	private volatile boolean complete;

	OriginBody(Connection connection) {
		this.connection = connection;
	}

	/** The whole body, or {@link OriginBodyTooLargeException} once it passes {@code limit} bytes. */
	Mono<Content> aggregate(long limit) {
		return this.connection.inbound()
			.receive()
			.collect(ByteArrayOutputStream::new, (out, chunk) -> {
				if (out.size() + chunk.readableBytes() > limit) {
					throw new OriginBodyTooLargeException(limit);
				}
				byte[] bytes = new byte[chunk.readableBytes()];
				chunk.readBytes(bytes);
				out.writeBytes(bytes);
			})
			.doOnSuccess(out -> this.complete = true)
			.map(out -> Content.adopt(out.toByteArray()));
	}

	/** The body as it arrives, each chunk retained for the client's response, which releases it once written. */
	Flux<DataBuffer> stream(NettyDataBufferFactory factory) {
		return this.connection.inbound()
			.receive()
			.retain()
			.doOnComplete(() -> this.complete = true)
			.map(factory::wrap);
	}

	/** Gives up on the rest of the body: the origin connection is closed rather than returned to the pool. */
	void discard() {
		if (!this.complete && !this.connection.isDisposed()) {
			this.connection.dispose();
		}
	}

}
