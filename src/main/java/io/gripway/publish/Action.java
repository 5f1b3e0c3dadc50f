package io.gripway.publish;

/** What a published format asks of each subscriber; {@code send} when the item does not say. */
public enum Action {

	/** Deliver the content. */
	SEND,

	/** No content: the subscriber should fetch the data from the origin itself. */
	HINT,

	/** End the stream or WebSocket. */
	CLOSE,

	/** WebSocket-over-HTTP: ask the origin about this connection now. */
	REFRESH

}
