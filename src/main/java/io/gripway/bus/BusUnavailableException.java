package io.gripway.bus;

/** The bus cannot relay a publish now (Redis down, dispatch queue full). The publish API answers 503. */
public class BusUnavailableException extends RuntimeException {

	public BusUnavailableException(String message) {
		super(message);
	}

	public BusUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
