package io.gripway.demo;

import java.util.List;
import java.util.Map;

import io.gripway.lifecycle.HttpServerLifecycle;
import io.netty.handler.codec.http.QueryStringDecoder;
import reactor.core.publisher.Mono;
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
public final class DemoOrigin extends HttpServerLifecycle {

	public DemoOrigin(int port) {
		super("Demo origin", "127.0.0.1", port, DemoOrigin::handle);
	}

	private static Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
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

	/** Before the gateway, so the proxy never forwards to an origin that is not listening yet. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1000;
	}

}
