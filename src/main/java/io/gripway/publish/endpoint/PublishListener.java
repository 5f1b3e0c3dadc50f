package io.gripway.publish.endpoint;

/** Told what became of each publish request, for metrics; implementations must be cheap and never throw. */
public interface PublishListener {

	PublishListener NONE = new PublishListener() {
	};

	/** The bus accepted {@code items} items. */
	default void accepted(int items) {
	}

	/** The request was refused before any item was relayed; {@code reason} is a short, bounded tag. */
	default void rejected(String reason) {
	}

	/** The bus could not take {@code items} items (503). */
	default void unavailable(int items) {
	}

}
