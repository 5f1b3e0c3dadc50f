package io.gripway.hold;

/** Why a published message did not reach a connection it was addressed to; also a bounded metrics tag. */
public enum DropReason {

	/** Its id was already delivered on the channel within the id cache's TTL (a publisher's retry). */
	DUPLICATE_ID("duplicate-id"),

	/** A long-poll had already been released by an earlier publish that is not yet written. */
	SUPERSEDED("superseded"),

	/** The connection's queue was full; the connection is disconnected as too slow. */
	QUEUE_OVERFLOW("queue-overflow"),

	/** The connection had already ended (closed, drained or gone) when the message arrived. */
	ENDED("ended");

	private final String tag;

	DropReason(String tag) {
		this.tag = tag;
	}

	public String tag() {
		return this.tag;
	}

}
