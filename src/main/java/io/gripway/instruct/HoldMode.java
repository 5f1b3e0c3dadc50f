package io.gripway.instruct;

/** How a held request is released: one published response (long-poll), or an open stream that publishes append to. */
public enum HoldMode {

	/** {@code Grip-Hold: response}: the first {@code http-response} publish completes the request. */
	RESPONSE,

	/** {@code Grip-Hold: stream}: every {@code http-stream} publish is appended to the open response. */
	STREAM

}
