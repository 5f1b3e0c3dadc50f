package io.gripway.server;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.context.SmartLifecycle;

/**
 * A small Reactor Netty HTTP server of Gripway's own, outside the gateway (the publish API, the demo origin), bound
 * when the application context starts and closed when it stops.
 */
public abstract class HttpServerLifecycle implements SmartLifecycle {

	private final Log logger = LogFactory.getLog(getClass());

	private final String name;

	private final String host;

	private final int port;

	private final BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler;

	private final UnaryOperator<HttpServer> customizer;

	private volatile @Nullable DisposableServer server;

	/** @param name what the server is, for its log lines */
	protected HttpServerLifecycle(String name, String host, int port,
			BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
		this(name, host, port, handler, UnaryOperator.identity());
	}

	/**
	 * @param name what the server is, for its log lines
	 * @param customizer applied to the server before it binds (timeouts, decoder limits)
	 */
	protected HttpServerLifecycle(String name, String host, int port,
			BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler,
			UnaryOperator<HttpServer> customizer) {
		this.name = name;
		this.host = host;
		this.port = port;
		this.handler = handler;
		this.customizer = customizer;
	}

	@Override
	public void start() {
		DisposableServer bound = this.customizer.apply(HttpServer.create().host(this.host).port(this.port))
			.handle(this.handler)
			.bindNow();
		this.server = bound;
		this.logger.info(this.name + " listening on http://" + this.host + ":" + bound.port() + "/");
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
			throw new IllegalStateException(this.name + " is not running");
		}
		return bound.port();
	}

}
