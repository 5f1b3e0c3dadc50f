package io.gripway.publish;

/** One of an item's per-transport payloads; a subscriber receives the one matching its transport, or nothing. */
public sealed interface Format permits HttpResponseFormat, HttpStreamFormat, WsMessageFormat {

	Action action();

}
