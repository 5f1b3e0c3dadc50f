package io.gripway.bus;

/** Makes the buses, whose classes stay package-private: configuration picks one, nothing else names them. */
public final class MessageBuses {

	private MessageBuses() {
	}

	/** The in-memory bus of a single node. */
	public static MessageBus local(int queueCapacity) {
		return new LocalMessageBus(queueCapacity);
	}

}
