package io.gripway.filter;

/**
 * A {@code %}-template cannot be rendered: it is malformed (a trailing {@code %}, an unterminated {@code %(}), uses a
 * directive the template kind does not know, or names a value that is not there. The message is Pushpin's text for the
 * same failure ({@code format.cpp}, {@code idformat.cpp}), byte positions included.
 */
public final class TemplateException extends Exception {

	public TemplateException(String message) {
		super(message);
	}

	// A bad template fails again for every item it meets: the message says enough, a stack trace would not help.
	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
