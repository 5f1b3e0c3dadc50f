package io.gripway.bus;

/**
 * A message on the bus cannot be decoded: truncated, corrupt, or written by a newer Gripway with an encoding version
 * this node does not know. The bus logs, counts and skips it; it never reaches a subscriber.
 */
final class MalformedBusMessageException extends Exception {

	MalformedBusMessageException(String message) {
		super(message);
	}

	MalformedBusMessageException(String message, Throwable cause) {
		super(message, cause);
	}

	// Expected from a misbehaving peer at message rate: the message says enough, a stack trace would not help.
	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
