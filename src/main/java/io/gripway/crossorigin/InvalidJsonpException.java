package io.gripway.crossorigin;

/**
 * A JSON-P request whose parameters cannot be used; its message is Pushpin's text for the client's {@code 400}
 * ({@code Invalid callback parameter.}, {@code Invalid _method parameter.}, ...).
 */
public final class InvalidJsonpException extends Exception {

	private static final long serialVersionUID = 1L;

	InvalidJsonpException(String parameter) {
		super("Invalid " + parameter + " parameter.");
	}

	/** Expected for any client sending a bad query: no stack trace to fill. */
	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
