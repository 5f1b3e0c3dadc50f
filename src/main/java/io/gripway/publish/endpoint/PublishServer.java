package io.gripway.publish.endpoint;

import java.time.Duration;

import io.gripway.server.HttpServerLifecycle;
import io.gripway.server.RequestHeaderTimeout;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;

/**
 * The publish API's own HTTP server, on its own port (Pushpin's {@code push_in_http_port}), apart from client
 * traffic: it can be bound to an internal address and never passes through the gateway's routes, filters or
 * security. Serves the WebFlux {@link HttpHandler} of {@link PublishApi} through Reactor Netty directly, so the
 * publish port costs no second Spring web server.
 *
 * <h3>Lifecycle</h3> Bound on {@link #start()}, before the proxy port takes traffic, and closed on {@link #stop()}.
 */
public final class PublishServer extends HttpServerLifecycle {

	/** Pushpin's {@code push_in_http_max_headers_size}. */
	static final int MAX_HEADER_BYTES = 10_000;

	/**
	 * @param headerTimeout the longest a request may take from its first byte to the end of its headers; a slower
	 * one (slow-loris) has its connection closed
	 * @param idleTimeout the longest a connection may wait for its next request
	 */
	public PublishServer(String address, int port, HttpHandler handler, Duration headerTimeout, Duration idleTimeout) {
		super("Publish API (POST /publish/)", address, port, new ReactorHttpHandlerAdapter(handler),
				(server) -> RequestHeaderTimeout.install(server, headerTimeout)
					.idleTimeout(idleTimeout)
					.httpRequestDecoder((decoder) -> decoder.maxHeaderSize(MAX_HEADER_BYTES)));
	}

}
