package io.gripway.demo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.QueryStringDecoder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.context.SmartLifecycle;

/**
 * An origin for trying Gripway out, in the spirit of Pushpin's test handler: {@code /response} holds a long-poll,
 * {@code /stream} opens a plain HTTP stream and {@code /sse} an event stream, each on {@code ?channel=} (default
 * {@code test}); anything else answers a plain greeting, which Gripway passes through untouched.
 *
 * <h3>Lifecycle</h3> Started only when {@code gripway.demo.enabled} is true (the {@code demo} profile), on loopback.
 */
public final class DemoOrigin implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DemoOrigin.class);

	private final int port;

	private volatile @Nullable DisposableServer server;

	public DemoOrigin(int port) {
		this.port = port;
	}

	@Override
	public void start() {
		DisposableServer bound = HttpServer.create().host("127.0.0.1").port(this.port).handle(this::handle).bindNow();
		this.server = bound;
		logger.info("Demo origin listening on http://127.0.0.1:" + bound.port());
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		QueryStringDecoder uri = new QueryStringDecoder(request.uri());
		String channel = first(uri.parameters(), "channel", "test");
		switch (uri.path()) {
			case "/response":
				return response.header("Grip-Hold", "response")
					.header("Grip-Channel", channel)
					.header("Grip-Timeout", first(uri.parameters(), "timeout", "55"))
					.header("Content-Type", "text/plain")
					.sendString(Mono.just("nothing for now\n"))
					.then();
			case "/stream":
				return response.header("Grip-Hold", "stream")
					.header("Grip-Channel", channel)
					.header("Content-Type", "text/plain")
					.sendString(Mono.just("[stream opened]\n"))
					.then();
			case "/sse":
				return response.header("Grip-Hold", "stream")
					.header("Grip-Channel", channel)
					.header("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=20")
					.header("Content-Type", "text/event-stream")
					.header("Cache-Control", "no-cache")
					.sendString(Mono.just("event: open\ndata: stream opened\n\n"))
					.then();
			default:
				return response.header("Content-Type", "text/plain")
					.sendString(Mono.just("Hello from the Gripway demo origin!\n"))
					.then();
		}
	}

	private static String first(Map<String, List<String>> parameters, String name, String fallback) {
		List<String> values = parameters.get(name);
		return (values == null || values.isEmpty() || values.get(0).isEmpty()) ? fallback : values.get(0);
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

	/** Before the gateway, so the proxy never forwards to an origin that is not listening yet. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1000;
	}

}
