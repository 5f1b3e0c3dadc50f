package io.gripway.websocket;

import java.util.concurrent.TimeUnit;

import io.gripway.hold.HoldRegistry;
import io.gripway.hold.WebSocketHold;
import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.instruct.KeepAliveMode;
import io.gripway.publish.Action;
import io.gripway.publish.WsMessageFormat;
import io.gripway.publish.WsMessageType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * What an origin's messages do to one client WebSocket (reference §4.1): with GRIP on, a {@code m:} message goes to
 * the client without its prefix, a {@code c:} message is a control message acted on here, and anything else is
 * dropped with a log line; with GRIP off, every message goes to the client as it is.
 *
 * <h3>Thread safety</h3> Messages come from one origin answer at a time; timers fire on the scheduler. The keep-alive
 * and delayed-message state is guarded by this object's monitor, never held while emitting.
 *
 * <h3>Lifecycle</h3> {@link #stop()} cancels the keep-alive and any delayed message; later messages are still
 * processed, but nothing is scheduled.
 */
final class OriginMessageHandler {

	private static final Log logger = LogFactory.getLog(OriginMessageHandler.class);

	private static final byte[] MESSAGE_PREFIX = { 'm', ':' };

	private static final byte[] CONTROL_PREFIX = { 'c', ':' };

	private final WebSocketHold hold;

	private final HoldRegistry registry;

	private final Scheduler timer;

	private final Runnable detach;

	private final String logPrefix;

	private volatile boolean grip;

	private boolean stopped;

	// the keep-alive in force; a timer of an older one stops when it sees it was replaced
	private ControlMessage.@Nullable KeepAlive keepAlive;

	private @Nullable Disposable keepAliveTask;

	private @Nullable WsMessageFormat delayed;

	private @Nullable Disposable delayedTask;

	/**
	 * @param detach what a {@code detach} control message does to the session
	 * @param logPrefix names the connection and its origin in log lines
	 */
	OriginMessageHandler(WebSocketHold hold, HoldRegistry registry, Scheduler timer, Runnable detach, String logPrefix) {
		this.hold = hold;
		this.registry = registry;
		this.timer = timer;
		this.detach = detach;
		this.logPrefix = logPrefix;
	}

	/** The origin enabled GRIP ({@code Sec-WebSocket-Extensions: grip}) for the whole connection. */
	void enableGrip() {
		this.grip = true;
	}

	void text(Content content) {
		if (!this.grip) {
			this.hold.offer(frame(WsMessageType.TEXT, content));
		}
		else if (content.startsWith(CONTROL_PREFIX)) {
			control(content.from(CONTROL_PREFIX.length).toUtf8());
		}
		else if (content.startsWith(MESSAGE_PREFIX)) {
			this.hold.offer(frame(WsMessageType.TEXT, content.from(MESSAGE_PREFIX.length)));
		}
		else {
			dropUnprefixed("text", content);
		}
	}

	void binary(Content content) {
		if (!this.grip) {
			this.hold.offer(frame(WsMessageType.BINARY, content));
		}
		else if (content.startsWith(MESSAGE_PREFIX)) {
			this.hold.offer(frame(WsMessageType.BINARY, content.from(MESSAGE_PREFIX.length)));
		}
		else {
			dropUnprefixed("binary", content);
		}
	}

	synchronized void stop() {
		this.stopped = true;
		this.keepAlive = null;
		cancel(this.keepAliveTask);
		this.delayed = null;
		cancel(this.delayedTask);
	}

	private void dropUnprefixed(String kind, Content content) {
		// at info, not Pushpin's debug: the m:/c: prefix is GRIP's most common stumbling block (pushpin#48289)
		logger.info(this.logPrefix + "Dropping unprefixed " + kind + " message (" + content.length()
				+ " bytes): with GRIP, messages must start with 'm:' or 'c:'");
	}

	private void control(String json) {
		ControlMessage message;
		try {
			message = ControlMessages.parse(json);
		}
		catch (InvalidControlMessageException ex) {
			logger.warn(this.logPrefix + "Ignoring control message: " + ex.getMessage());
			return;
		}
		if (message instanceof ControlMessage.Subscribe subscribe) {
			// the origin names channels in its application's namespace, without the prefix
			this.registry.subscribe(this.hold, new ChannelSubscription(
					this.hold.namespace().toBus(subscribe.channel()), null, subscribe.filters()));
		}
		else if (message instanceof ControlMessage.Unsubscribe unsubscribe) {
			this.registry.unsubscribe(this.hold, this.hold.namespace().toBus(unsubscribe.channel()));
		}
		else if (message instanceof ControlMessage.SetMeta setMeta) {
			this.hold.setMeta(setMeta.name(), setMeta.value());
		}
		else if (message instanceof ControlMessage.Detach) {
			this.detach.run();
		}
		else if (message instanceof ControlMessage.KeepAlive keepAlive) {
			keepAlive(keepAlive);
		}
		else if (message instanceof ControlMessage.SendDelayed sendDelayed) {
			sendDelayed(sendDelayed);
		}
		else if (message instanceof ControlMessage.FlushDelayed) {
			flushDelayed(null);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(this.logPrefix + "Ignoring control message " + message);
		}
	}

	private synchronized void keepAlive(ControlMessage.KeepAlive keepAlive) {
		cancel(this.keepAliveTask);
		this.keepAlive = (keepAlive.content() != null && !this.stopped) ? keepAlive : null;
		if (this.keepAlive != null) {
			scheduleKeepAlive(keepAlive, keepAlive.timeout().toNanos());
		}
	}

	// guarded by this: in idle mode each frame to the client restarts the silence, so wait out what is left of it
	private void scheduleKeepAlive(ControlMessage.KeepAlive keepAlive, long delayNanos) {
		this.keepAliveTask = this.timer.schedule(() -> {
			long timeout = keepAlive.timeout().toNanos();
			long silence = System.nanoTime() - this.hold.lastFrameNanos();
			long next = timeout;
			if (keepAlive.mode() == KeepAliveMode.INTERVAL || silence >= timeout) {
				this.hold.offer(frame(keepAlive.type(), keepAlive.content()));
			}
			else {
				next = timeout - silence;
			}
			synchronized (this) {
				if (this.keepAlive == keepAlive) {
					scheduleKeepAlive(keepAlive, next);
				}
			}
		}, delayNanos, TimeUnit.NANOSECONDS);
	}

	// Pushpin: a new send-delayed first sends the one still pending
	private void sendDelayed(ControlMessage.SendDelayed sendDelayed) {
		flushDelayed(null);
		WsMessageFormat frame = frame(sendDelayed.type(), sendDelayed.content());
		synchronized (this) {
			if (this.stopped) {
				return;
			}
			this.delayed = frame;
			this.delayedTask = this.timer.schedule(() -> flushDelayed(frame), sendDelayed.timeout().toMillis(),
					TimeUnit.MILLISECONDS);
		}
	}

	/** Sends the pending delayed message; with {@code only} set, only if that one is still pending. */
	private void flushDelayed(@Nullable WsMessageFormat only) {
		WsMessageFormat frame;
		synchronized (this) {
			frame = this.delayed;
			if (frame == null || (only != null && frame != only)) {
				return;
			}
			this.delayed = null;
			cancel(this.delayedTask);
		}
		this.hold.offer(frame);
	}

	static WsMessageFormat frame(WsMessageType type, @Nullable Content content) {
		return new WsMessageFormat(Action.SEND, type, (content != null) ? content : Content.EMPTY, null, null, null);
	}

	private static void cancel(@Nullable Disposable task) {
		if (task != null) {
			task.dispose();
		}
	}

}
