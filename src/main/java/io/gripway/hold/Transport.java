package io.gripway.hold;

/** The transports a connection can be held in; also a bounded metrics tag. */
public enum Transport {

	RESPONSE("response"), STREAM("stream"), WEBSOCKET("websocket");

	private final String tag;

	Transport(String tag) {
		this.tag = tag;
	}

	public String tag() {
		return this.tag;
	}

}
