package io.gripway.publish;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.context.SmartLifecycle;

/**
 * The publish API's own HTTP server, on its own port (Pushpin's {@code push_in_http_port}), apart from client
 * traffic: it can be bound to an internal address and never passes through the gateway's routes and filters.
 *
 * <h3>Lifecycle</h3> Bound on {@link #start()}, before the proxy port takes traffic, and closed on {@link #stop()}.
 */
public final class PublishServer implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(PublishServer.class);

	private final String address;

	private final int port;

	private final PublishHandler handler;

	private volatile @Nullable DisposableServer server;

	public PublishServer(String address, int port, PublishHandler handler) {
		this.address = address;
		this.port = port;
		this.handler = handler;
	}

	@Override
	public void start() {
		DisposableServer bound = HttpServer.create().host(this.address).port(this.port).handle(this.handler).bindNow();
		this.server = bound;
		logger.info("Publish API listening on http://" + this.address + ":" + bound.port() + "/publish/");
	}

	@Override
	public void stop() {
		DisposableServer bound = this.server;
		if (bound != null) {
			bound.disposeNow(Duration.ofSeconds(5));
			this.server = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.server != null;
	}

	/** The port actually bound (useful when configured as 0). */
	public int port() {
		DisposableServer bound = this.server;
		if (bound == null) {
			throw new IllegalStateException("the publish server is not running");
		}
		return bound.port();
	}

}
