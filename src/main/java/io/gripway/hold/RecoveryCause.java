package io.gripway.hold;

/** Why a held connection went back to its origin for what it missed; also a bounded metrics tag. */
public enum RecoveryCause {

	/** A published item's {@code prev-id} did not follow the last id the connection had on its channel. */
	GAP("gap"),

	/** The connection's {@code prev-id} was already behind the channel's last id when it was held. */
	BEHIND("behind"),

	/** A {@code hint} was published: the origin has news the publish did not carry. */
	HINT("hint"),

	/** {@code POST /recover} on the publish API. */
	RECOVER("recover"),

	/** This node may have missed items: its bus subscription dropped, its delivery queue overflowed, or a message was unreadable. */
	BUS_GAP("bus-gap"),

	/** Every channel of a stream was quiet for its next link's {@code timeout}: the stream is refreshed. */
	IDLE("idle"),

	/** A page answered with no hold and a further next link: the origin is paging its content. */
	CHAINED("chained");

	private final String tag;

	RecoveryCause(String tag) {
		this.tag = tag;
	}

	public String tag() {
		return this.tag;
	}

}
