package io.gripway.server;

import reactor.netty.ReactorNetty;

/**
 * How many event loops serve Gripway's connections (clients, publishers, origins): one per available processor, unless
 * {@code -Dreactor.netty.ioWorkerCount} says otherwise.
 *
 * <p>
 * Reactor Netty's own default is at least four loops, whatever the processors. On two cores, four loops took turns
 * on them during a fan-out: one publish reached 10,000 streams 14-22 % sooner with two loops than with four, in the
 * same interleaved runs (bench/README.md, "Event loops"). Only a machine or container limit of fewer than four
 * processors is affected; on more, the count is the one Reactor Netty would choose.
 *
 * <p>
 * Reactor Netty reads the property once per JVM, when its loop resources are first made, so {@link #applyDefault}
 * runs first thing in {@code main}.
 */
public final class EventLoops {

	static final String PROPERTY = ReactorNetty.IO_WORKER_COUNT;

	private EventLoops() {
	}

	/** Sets Reactor Netty's loop count to this machine's available processors, unless it was given. */
	public static void applyDefault() {
		applyDefault(Runtime.getRuntime().availableProcessors());
	}

	static void applyDefault(int availableProcessors) {
		if (System.getProperty(PROPERTY) == null) {
			System.setProperty(PROPERTY, Integer.toString(Math.max(1, availableProcessors)));
		}
	}

}
