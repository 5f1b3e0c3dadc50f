package io.gripway.websocket;

/** A {@code c:} control message from the origin that is not valid; the message names the field and the rule. */
public final class InvalidControlMessageException extends RuntimeException {

	InvalidControlMessageException(String message) {
		super(message);
	}

}
