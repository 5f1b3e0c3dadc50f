package io.gripway.warmup;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

import io.gripway.bus.MessageBus;
import io.gripway.hold.HoldRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.context.SmartLifecycle;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;

/**
 * Sends requests of every kind through the proxy's own path before the proxy port opens.
 *
 * <p>
 * After a rolling restart every client of the old pod reconnects to a fresh JVM at once. Measured, a fresh JVM set up
 * its first 10k long-polls 1.7× slower than it did a minute later: the request path was still being compiled while
 * they came in. The warm-up takes that cost before the node is ready: it binds the application's own HTTP handler,
 * with the proxy port's customizations, on a private loopback port, sends it long-polls, SSE streams and plain
 * requests, held and released by publishes through the bus as in production, and closes that port again. Its
 * requests take a route of their own ({@link #ROUTE_ID}) that matches only requests to that port, to a private origin
 * ({@link WarmUpOrigin}): nothing reaches the configured origins, and the publishes go to channels of its own.
 *
 * <p>
 * Runs in the start-up thread, after the bus has started and before the web server binds the proxy port, so the
 * readiness probe and the first clients come after it.
 */
public final class WarmUp implements SmartLifecycle {

	/** After the bus ({@code BusLifecycle}), before the web server (Spring Boot: {@code DEFAULT_PHASE - 2048}). */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	/** The route of the warm-up's requests (in metrics, as any route). */
	public static final String ROUTE_ID = "gripway-warm-up";

	private static final Log logger = LogFactory.getLog(WarmUp.class);

	private static final String LOOPBACK = "127.0.0.1";

	private final Settings settings;

	private final Supplier<? extends @Nullable BiFunction<? super HttpServerRequest, ? super HttpServerResponse,
			? extends Publisher<Void>>> handler;

	private final Function<HttpServer, HttpServer> customizer;

	private final LoopResources loops;

	private final HoldRegistry registry;

	private final MessageBus bus;

	// the private ports while the warm-up runs, 0 otherwise: the route matches nothing then
	private volatile int gatewayPort;

	private volatile int originPort;

	private volatile @Nullable WarmUpReport report;

	private volatile boolean running;

	/**
	 * @param requests how many requests to make; 0 disables the warm-up
	 * @param timeout the longest the warm-up may delay the start
	 */
	public record Settings(int requests, Duration timeout) {
	}

	/**
	 * @param handler what the proxy port's server runs: the application's HTTP handler, behind the passthrough fast
	 * path when there is one (absent without a web server)
	 * @param customizer what the proxy port's server gets (timeouts, decoder limits), applied to the private one
	 * @param loops the event loops the proxy port's server runs on
	 */
	public WarmUp(Settings settings,
			Supplier<? extends @Nullable BiFunction<? super HttpServerRequest, ? super HttpServerResponse,
					? extends Publisher<Void>>> handler,
			Function<HttpServer, HttpServer> customizer,
			LoopResources loops, HoldRegistry registry, MessageBus bus) {
		this.settings = settings;
		this.handler = handler;
		this.customizer = customizer;
		this.loops = loops;
		this.registry = registry;
		this.bus = bus;
	}

	/** Whether {@code exchange} is one of the warm-up's requests: it came in on the warm-up's private port. */
	public boolean routes(ServerWebExchange exchange) {
		return origin(exchange.getRequest().getLocalAddress()) != null;
	}

	/**
	 * The warm-up's private origin for a request that came in on {@code local}, its private port, else {@code null}.
	 */
	public @Nullable URI origin(@Nullable InetSocketAddress local) {
		int port = this.gatewayPort;
		if (port == 0) {
			return null;
		}
		return (local != null && local.getPort() == port) ? URI.create("http://" + LOOPBACK + ":" + this.originPort)
				: null;
	}

	/**
	 * The warm-up route's filter: sends the request to the private origin. Its port is known only once bound, so the
	 * route's own URI is a placeholder; only the authority changes here, which commutes with the request-target
	 * filter at the same order.
	 */
	public GatewayFilter toOrigin() {
		return (ServerWebExchange exchange, GatewayFilterChain chain) -> {
			URI url = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
			if (url != null) {
				String query = url.getRawQuery();
				exchange.getAttributes()
					.put(GATEWAY_REQUEST_URL_ATTR, URI.create("http://" + LOOPBACK + ":" + this.originPort
							+ url.getRawPath() + ((query != null) ? "?" + query : "")));
			}
			return chain.filter(exchange);
		};
	}

	/** What the last warm-up did, or {@code null} when none ran. */
	public @Nullable WarmUpReport report() {
		return this.report;
	}

	@Override
	public void start() {
		this.running = true;
		if (this.settings.requests() == 0) {
			return;
		}
		var serverHandler = this.handler.get();
		if (serverHandler == null) {
			return;
		}
		long deadline = System.nanoTime() + this.settings.timeout().toNanos();
		DisposableServer origin = HttpServer.create().host(LOOPBACK).port(0).runOn(this.loops)
			.handle(WarmUpOrigin::handle)
			.bindNow();
		DisposableServer gateway = null;
		try {
			gateway = this.customizer.apply(HttpServer.create()).host(LOOPBACK).port(0).runOn(this.loops)
				.handle(serverHandler)
				.bindNow();
			this.originPort = origin.port();
			this.gatewayPort = gateway.port();
			try (WarmUpTraffic traffic = new WarmUpTraffic(gateway.port(), this.loops, this.registry, this.bus)) {
				WarmUpReport done = traffic.run(this.settings.requests(), deadline);
				this.report = done;
				log(done);
			}
		}
		catch (RuntimeException ex) {
			// a warm-up that fails costs the first clients some speed, not the start
			logger.warn("Warm-up failed; starting without it", ex);
		}
		finally {
			this.gatewayPort = 0;
			this.originPort = 0;
			if (gateway != null) {
				gateway.disposeNow(Duration.ofSeconds(5));
			}
			origin.disposeNow(Duration.ofSeconds(5));
		}
	}

	private void log(WarmUpReport done) {
		String summary = done.requests() + " requests in " + done.took().toMillis() + " ms (" + done.longPolls()
				+ " long-polls, " + done.streams() + " streams, " + done.plain() + " plain requests went through)";
		if (done.requests() < this.settings.requests() || done.completed() < done.requests()) {
			logger.warn("Warm-up incomplete within " + this.settings.timeout() + ": " + summary);
		}
		else {
			logger.info("Warmed up: " + summary);
		}
	}

	@Override
	public void stop() {
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
