package io.gripway.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

import io.netty.handler.codec.http.HttpHeaders;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real origin for integration tests: a Reactor Netty server on a random loopback port, answering each path with
 * the handler a test gives it and recording every request it received (method, URI, headers, body).
 */
public final class TestOrigin implements AutoCloseable {

	/** A request as the origin saw it. */
	public record Received(String method, String uri, HttpHeaders headers, byte[] body) {

		public String bodyText() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

	}

	private final Map<String, BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>>> routes = new ConcurrentHashMap<>();

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private final DisposableServer server;

	public TestOrigin() {
		this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow();
	}

	private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
			this.received.add(new Received(request.method().name(), request.uri(), request.requestHeaders().copy(), body));
			String path = request.fullPath();
			BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> route = this.routes.get(path);
			if (route == null) {
				return response.status(404).sendString(Mono.just("no route for " + path + "\n")).then();
			}
			return Mono.from(route.apply(request, response));
		});
	}

	/** Answers {@code path} (without query) with {@code handler}. */
	public TestOrigin route(String path, BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
		this.routes.put(path, handler);
		return this;
	}

	public String url() {
		return "http://127.0.0.1:" + this.server.port();
	}

	public int port() {
		return this.server.port();
	}

	public List<Received> received() {
		return this.received;
	}

	public Received lastReceived() {
		return this.received.get(this.received.size() - 1);
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

}
