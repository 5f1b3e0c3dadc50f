package io.gripway.hold;

/**
 * A held stream's client reads slower than messages arrive and its queue is full: it is disconnected rather than
 * buffered without limit. Expected under load, so it carries no stack trace.
 */
public final class SlowConsumerException extends RuntimeException {

	public SlowConsumerException(int capacity) {
		super("client too slow: " + capacity + " messages queued");
	}

	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
