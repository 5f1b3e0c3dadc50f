package io.gripway.websocket;

/**
 * An origin's {@code application/websocket-events} body does not follow the event encoding; the message says where
 * and which rule it broke.
 */
public final class InvalidWsEventsException extends RuntimeException {

	InvalidWsEventsException(String message) {
		super(message);
	}

}
