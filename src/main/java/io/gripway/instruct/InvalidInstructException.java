package io.gripway.instruct;

/**
 * The origin's GRIP instruction breaks a rule. The message names the header (or JSON field) and the rule, because it is
 * what the operator reads in the log when a client got a 502.
 */
public class InvalidInstructException extends RuntimeException {

	public InvalidInstructException(String message) {
		super(message);
	}

	public InvalidInstructException(String message, Throwable cause) {
		super(message, cause);
	}

}
