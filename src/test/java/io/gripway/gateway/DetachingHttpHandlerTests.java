package io.gripway.gateway;

import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.gripway.test.Await;
import io.gripway.test.RawSocket;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/** A held response outlives its WebFlux exchange: written after it, without keeping it. */
class DetachingHttpHandlerTests {

	private final HttpClient client = HttpClient.newHttpClient();

	private final Sinks.One<String> release = Sinks.one();

	private final AtomicBoolean exchangeCompleted = new AtomicBoolean();

	private final AtomicBoolean abandoned = new AtomicBoolean();

	private final AtomicBoolean writeStarted = new AtomicBoolean();

	private final AtomicReference<WeakReference<ServerWebExchange>> lastExchange = new AtomicReference<>();

	private DisposableServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.disposeNow();
		}
	}

	@Test
	void writesTheDetachedResponseOnceTheExchangeIsOver() throws Exception {
		start(this::detachHeldWrite);
		CompletableFuture<HttpResponse<String>> response = get("/held");
		Await.until("the exchange to complete", Duration.ofSeconds(5), this.exchangeCompleted::get);
		assertThat(response).isNotDone();

		this.release.tryEmitValue("released\n");

		HttpResponse<String> answer = response.get(5, TimeUnit.SECONDS);
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.headers().firstValue("X-Held")).hasValue("yes");
		assertThat(answer.body()).isEqualTo("released\n");
		assertThat(this.writeStarted).isTrue();
		assertThat(this.abandoned).isFalse();
	}

	@Test
	void keepsNothingOfTheExchangeWhileTheResponseIsHeld() throws Exception {
		start(this::detachHeldWrite);
		CompletableFuture<HttpResponse<String>> response = get("/held");
		Await.until("the exchange to complete", Duration.ofSeconds(5), this.exchangeCompleted::get);

		Await.until("the exchange to be collected", Duration.ofSeconds(10), () -> {
			System.gc();
			return this.lastExchange.get().get() == null;
		});

		assertThat(response).isNotDone();
		this.release.tryEmitValue("still answered\n");
		assertThat(response.get(5, TimeUnit.SECONDS).body()).isEqualTo("still answered\n");
	}

	@Test
	void leavesAnExchangeThatDetachedNothingAlone() throws Exception {
		start(exchange -> exchange.getResponse()
			.writeWith(Mono.just(exchange.getResponse().bufferFactory().wrap("plain\n".getBytes(StandardCharsets.UTF_8)))));

		HttpResponse<String> answer = get("/plain").get(5, TimeUnit.SECONDS);

		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.body()).isEqualTo("plain\n");
	}

	@Test
	void abandonsTheWriteOfAClientGoneBeforeTheExchangeIsOver() throws Exception {
		AtomicBoolean detached = new AtomicBoolean();
		// the exchange goes on after detaching, so the client's leaving cancels it before the held write starts
		start(exchange -> detachHeldWrite(exchange).then(Mono.fromRunnable(() -> detached.set(true))).then(Mono.never()));
		try (RawSocket socket = RawSocket.connect(this.server.port())) {
			socket.send("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n");
			Await.until("the write to be detached", Duration.ofSeconds(5), detached::get);
		}

		Await.until("the write to be abandoned", Duration.ofSeconds(5), this.abandoned::get);
		// abandoned instead of started: a write started for a gone client would only fail (or, on a reused
		// connection, answer someone else)
		this.release.tryEmitValue("for nobody\n");
		assertThat(this.writeStarted).as("the abandoned write was never started").isFalse();
	}

	private Mono<Void> detachHeldWrite(ServerWebExchange exchange) {
		this.lastExchange.set(new WeakReference<>(exchange));
		exchange.getAttributes().put("weight", new byte[1 << 20]);
		HttpServerResponse netty = (HttpServerResponse) ServerHttpResponseDecorator
			.getNativeResponse(exchange.getResponse());
		DetachingHttpHandler.detach(exchange.getResponse(), new DetachingHttpHandler.HeldWrite() {
			@Override
			public Mono<Void> write() {
				DetachingHttpHandlerTests.this.writeStarted.set(true);
				return DetachingHttpHandlerTests.this.release.asMono().flatMap(body -> {
					netty.header("X-Held", "yes");
					return netty.send(Mono.just(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8))).then();
				});
			}

			@Override
			public void abandon() {
				DetachingHttpHandlerTests.this.abandoned.set(true);
			}
		});
		return Mono.empty();
	}

	private void start(WebHandler handler) {
		WebHandler tracked = exchange -> handler.handle(exchange)
			.doOnSuccess(done -> this.exchangeCompleted.set(true));
		ReactorHttpHandlerAdapter adapter = new ReactorHttpHandlerAdapter(
				new DetachingHttpHandler(WebHttpHandlerBuilder.webHandler(tracked).build()));
		this.server = HttpServer.create().host("127.0.0.1").port(0).handle(adapter).bindNow();
	}

	private CompletableFuture<HttpResponse<String>> get(String path) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.server.port() + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return this.client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
	}

}
