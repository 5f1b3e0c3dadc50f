package io.gripway.hold;

/** The transports a connection can be held in; also a bounded metrics tag. */
public enum HoldKind {

	RESPONSE("response"), STREAM("stream"), WEBSOCKET("websocket");

	private final String tag;

	HoldKind(String tag) {
		this.tag = tag;
	}

	public String tag() {
		return this.tag;
	}

}
