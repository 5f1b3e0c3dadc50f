package io.gripway.gateway;

/** An origin's instruction or long-poll body is larger than Gripway keeps in memory. */
final class OriginBodyTooLargeException extends RuntimeException {

	OriginBodyTooLargeException(long limit) {
		super("origin body larger than " + limit + " bytes");
	}

	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
