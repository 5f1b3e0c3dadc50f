package io.gripway.hold;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * What a hold has for its one client, waiting in a queue of {@code capacity} items (at least 8: Reactor's smallest
 * bounded queue) until the client's socket takes it. A client that lets the queue fill gets
 * {@link SlowConsumerException} instead of the node buffering without limit.
 *
 * <h3>Thread safety</h3> Emission is serialized by this object's monitor, held only for the emission itself (which
 * queues or hands the item to Netty, never blocking on I/O).
 *
 * <h3>Lifecycle</h3> {@link #asFlux()} is subscribed once; items emitted before that wait in the queue.
 */
final class BoundedSink<T> {

	private final Sinks.Many<T> sink;

	private final int capacity;

	private volatile long lastEmitNanos = System.nanoTime();

	BoundedSink(int capacity) {
		this.capacity = capacity;
		this.sink = Sinks.many().unicast().onBackpressureBuffer(Queues.<T>get(capacity).get());
	}

	Flux<T> asFlux() {
		return this.sink.asFlux();
	}

	/** What became of an emitted item. */
	enum Emitted {

		/** Queued for the client. */
		QUEUED,

		/** The queue was full: the flux now errors with {@link SlowConsumerException}. */
		OVERFLOW,

		/** The flux had already ended (completed, errored or cancelled): the item is dropped. */
		ENDED

	}

	synchronized Emitted emit(T item) {
		Sinks.EmitResult result = this.sink.tryEmitNext(item);
		// before the socket subscribes, a full queue reports FAIL_ZERO_SUBSCRIBER: an overflow all the same
		if (result == Sinks.EmitResult.FAIL_OVERFLOW || result == Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER) {
			this.sink.tryEmitError(new SlowConsumerException(this.capacity));
			return Emitted.OVERFLOW;
		}
		if (result.isSuccess()) {
			this.lastEmitNanos = System.nanoTime();
			return Emitted.QUEUED;
		}
		return Emitted.ENDED;
	}

	/** Ends the flux once what is queued has gone. */
	synchronized void complete() {
		this.sink.tryEmitComplete();
	}

	/** When the last item was queued, in {@link System#nanoTime()} terms. */
	long lastEmitNanos() {
		return this.lastEmitNanos;
	}

}
