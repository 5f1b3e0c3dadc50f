package io.gripway.hold;

/** How a held connection ended; also a bounded metrics tag. */
public enum HoldOutcome {

	/** A publish released it (a long-poll answered with the published response). */
	PUBLISHED("published"),

	/** Its timeout passed and the origin's timeout response was sent. */
	TIMEOUT("timeout"),

	/** The client went away (disconnect, reset, write failure) before anything else ended it. */
	CLIENT_GONE("client-gone"),

	/** A {@code close} publish ended it (streams, WebSockets). */
	CLOSED("closed"),

	/** Its client read too slowly and its queue overflowed, so it was disconnected. */
	EVICTED_SLOW("evicted-slow"),

	/** The node shut down and ended it cleanly: timeout response, end of stream, or WebSocket close 1012. */
	DRAINED("drained"),

	/** A long-poll went back to its origin (a gap, a hint, a recover): the retried request answers the client. */
	RETRIED("retried"),

	/** A stream's next link could not be fetched, after retries: the stream was ended. */
	RECOVERY_FAILED("recovery-failed");

	private final String tag;

	HoldOutcome(String tag) {
		this.tag = tag;
	}

	public String tag() {
		return this.tag;
	}

}
