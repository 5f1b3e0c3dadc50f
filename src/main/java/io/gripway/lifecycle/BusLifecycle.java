package io.gripway.lifecycle;

import io.gripway.bus.BusReceiver;
import io.gripway.bus.MessageBus;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the bus once every bean is ready, delivering to this node's receiver (the registry of held connections):
 * starting it in a bean method would connect to Redis while the context is still being built, and deliver to a
 * registry other beans are still wiring. It starts before anything serves traffic (the proxy and publish ports) and
 * stops after them; the bus itself is closed when its bean is destroyed, after the drain.
 */
public final class BusLifecycle implements SmartLifecycle {

	/** Before every server, so the first request finds the bus started; stopped after them, in reverse. */
	public static final int PHASE = Integer.MIN_VALUE + 1000;

	private final MessageBus bus;

	private final BusReceiver receiver;

	private volatile boolean running;

	public BusLifecycle(MessageBus bus, BusReceiver receiver) {
		this.bus = bus;
		this.receiver = receiver;
	}

	@Override
	public void start() {
		this.bus.start(this.receiver);
		this.running = true;
	}

	@Override
	public void stop() {
		// nothing to stop here: the bus must keep delivering until the held connections are drained, and it is
		// closed with its bean
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
