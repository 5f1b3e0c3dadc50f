package io.gripway.publish;

import io.gripway.lifecycle.HttpServerLifecycle;

/**
 * The publish API's own HTTP server, on its own port (Pushpin's {@code push_in_http_port}), apart from client
 * traffic: it can be bound to an internal address and never passes through the gateway's routes and filters.
 *
 * <h3>Lifecycle</h3> Bound on {@link #start()}, before the proxy port takes traffic, and closed on {@link #stop()}.
 */
public final class PublishServer extends HttpServerLifecycle {

	public PublishServer(String address, int port, PublishHandler handler) {
		super("Publish API (POST /publish/)", address, port, handler);
	}

}
