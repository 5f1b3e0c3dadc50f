package io.gripway.hold;

/** Why a published message did not reach a connection it was addressed to; also a bounded metrics tag. */
public enum DropReason {

	/**
	 * Its id was already delivered on the channel within the id cache's TTL (a publisher's retry), or is the last id
	 * the connection has on it (a next-link page or a replay got there first).
	 */
	DUPLICATE_ID("duplicate-id"),

	/** A long-poll had already been released by an earlier publish that is not yet written. */
	SUPERSEDED("superseded"),

	/** The connection's queue was full; the connection is disconnected as too slow. */
	QUEUE_OVERFLOW("queue-overflow"),

	/** The connection had already ended (closed, drained or gone) when the message arrived. */
	ENDED("ended"),

	/**
	 * It did not follow the connection's last id (a gap the connection recovers from its origin instead), or it came
	 * while the connection was recovering and the recovered page already covered it.
	 */
	OUT_OF_SEQUENCE("out-of-sequence"),

	/** A subscription filter could not process it ({@code build-id} without {@code id_format}, a bad template). */
	FILTER_ERROR("filter-error"),

	/** Its format named {@code content-filters} that differ from the subscription's (GRIP: such items are skipped). */
	CONTENT_FILTERS("content-filters");

	private final String tag;

	DropReason(String tag) {
		this.tag = tag;
	}

	public String tag() {
		return this.tag;
	}

}
