import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The ceiling for a passthrough fast path: a bare Reactor Netty relay, no Spring, no routing, no filters. It forwards
 * every request to one origin with the same pooled Reactor Netty client Spring Cloud Gateway uses and streams the answer
 * back, dropping the hop-by-hop headers a proxy must drop. It is a benchmark probe, not something Gripway ships: it has
 * no timeouts, no X-Forwarded-*, no error pages. Scenario P runs it beside Gripway and plain Spring Cloud Gateway, with
 * the same JVM options, to show what a route that skipped the gateway's per-request machinery could reach.
 *
 * <pre>java $(cat deploy/jvm.options) -cp 'BOOT-INF/lib/*' bench/relay/RawRelay.java PORT ORIGIN_PORT</pre>
 */
public final class RawRelay {

	private static final CharSequence[] HOP_BY_HOP = { HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
			HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE,
			HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE };

	private RawRelay() {
	}

	public static void main(String[] args) {
		int port = Integer.parseInt(args[0]);
		String origin = "http://127.0.0.1:" + Integer.parseInt(args[1]);
		HttpClient client = HttpClient.create(ConnectionProvider.builder("relay").maxConnections(500).build())
			.responseTimeout(Duration.ofSeconds(30));
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.handle((request, response) -> client.headers(h -> withoutHopByHop(h.set(request.requestHeaders())))
				.request(request.method())
				.uri(origin + request.uri())
				.send(request.receive().retain())
				.response((answer, body) -> response.status(answer.status())
					.headers(withoutHopByHop(answer.responseHeaders().copy()))
					.send(body.retain())))
			.bindNow();
		System.out.println("RawRelay listening on 127.0.0.1:" + server.port() + ", relaying to " + origin);
		server.onDispose().block();
	}

	private static HttpHeaders withoutHopByHop(HttpHeaders headers) {
		for (CharSequence name : HOP_BY_HOP) {
			headers.remove(name);
		}
		return headers;
	}

}
