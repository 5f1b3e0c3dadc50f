package io.gripway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import io.gripway.test.PublishJson;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The detached-response contract of {@link GripResponder} against the real gateway, so a Spring Cloud Gateway upgrade
 * that changes it fails here:
 * <ul>
 * <li>a route's response-header filters ({@code AddResponseHeader}) run as post filters inside {@link GripFilter}, so
 * their headers are part of the origin's response as Gripway sees it: a held response carries them like the origin's
 * own headers (decided: a route that adds a header to everything it serves adds it to its GRIP responses too, as a
 * proxy in front of Pushpin would), and a publish's same-named header wins;</li>
 * <li>{@code NettyWriteResponseFilter} writes nothing for a GRIP response (it finds no origin connection), so the
 * origin's instruction body never reaches the client and nothing goes through the exchange's response;</li>
 * <li>a held write skips the exchange's {@code beforeCommit} actions and response decorators, which plain responses
 * get.</li>
 * </ul>
 */
@ExtendWith(NettyLeakCheck.class)
class DetachedResponseIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		origin.route("/plain", (request, response) -> response.header("Content-Type", "text/plain")
			.sendString(Mono.just("plain\n")));
		origin.route("/poll", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", StreamIntegrationTests.channelOf(request.uri()))
			.header("X-Origin", "origin")
			.sendString(Mono.just("instruction body\n")));
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", StreamIntegrationTests.channelOf(request.uri()))
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("[opened]\n")));
		gripway = GripwayInstance.start("spring.main.sources=" + Probe.class.getName(),
				"spring.cloud.gateway.server.webflux.routes[0].id=decorated",
				"spring.cloud.gateway.server.webflux.routes[0].uri=" + origin.url(),
				"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/decorated/**",
				"spring.cloud.gateway.server.webflux.routes[0].filters[0]=StripPrefix=1",
				"spring.cloud.gateway.server.webflux.routes[0].filters[1]=AddResponseHeader=X-Route, decorated");
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	@Test
	void plainResponsesGetTheRouteFilterBeforeCommitActionsAndDecorators() throws Exception {
		HttpResponse<String> response = send("/decorated/plain");
		assertThat(response.body()).isEqualTo("plain\n");
		assertThat(response.headers().firstValue("X-Route")).hasValue("decorated");
		assertThat(response.headers().firstValue(Probe.BEFORE_COMMIT)).as("the probe works").hasValue("ran");
		assertThat(Probe.decoratedWrites("/decorated/plain")).isPositive();
	}

	@Test
	void heldLongPollCarriesTheRouteHeaderAndSkipsBeforeCommitAndDecorators() throws Exception {
		CompletableFuture<HttpResponse<String>> held = sendAsync("/decorated/poll?ch=detached-poll");
		awaitSubscriber("detached-poll");
		gripway.publishOk("""
				{"items":[{"channel":"detached-poll","formats":{"http-response":{"headers":{"X-Published":"yes"},"body":"released\\n"}}}]}
				""");
		HttpResponse<String> response = held.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(response.body()).as("the gateway's writer wrote nothing of the origin's body").isEqualTo("released\n");
		assertThat(response.headers().firstValue("X-Route")).hasValue("decorated");
		assertThat(response.headers().firstValue("X-Origin")).hasValue("origin");
		assertThat(response.headers().firstValue("X-Published")).hasValue("yes");
		assertThat(response.headers().firstValue(Probe.BEFORE_COMMIT)).isEmpty();
		assertThat(Probe.decoratedWrites("/decorated/poll")).as("nothing went through the exchange's response")
			.isZero();
	}

	@Test
	void publishedHeaderWinsOverTheRouteHeader() throws Exception {
		CompletableFuture<HttpResponse<String>> held = sendAsync("/decorated/poll?ch=detached-override");
		awaitSubscriber("detached-override");
		gripway.publishOk("""
				{"items":[{"channel":"detached-override","formats":{"http-response":{"headers":{"X-Route":"published"},"body":"x"}}}]}
				""");
		HttpResponse<String> response = held.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(response.headers().allValues("X-Route")).containsExactly("published");
	}

	@Test
	void heldStreamCarriesTheRouteHeaderAndSkipsBeforeCommitAndDecorators() {
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/decorated/stream?ch=detached-stream")) {
			stream.awaitReceived("[opened]\n", WAIT);
			awaitSubscriber("detached-stream");
			gripway.publishOk(PublishJson.stream("detached-stream", "one\\n"));
			stream.awaitReceived("one\n", WAIT);
			assertThat(stream.headers().get("X-Route")).isEqualTo("decorated");
			assertThat(stream.headers().get(Probe.BEFORE_COMMIT)).isNull();
			assertThat(Probe.decoratedWrites("/decorated/stream")).isZero();
		}
	}

	static void awaitSubscriber(String channel) {
		Await.until(WAIT, () -> gripway.registry().subscriberCount(channel) == 1,
				() -> "a subscriber on '" + channel + "'");
	}

	static HttpResponse<String> send(String path) throws Exception {
		return sendAsync(path).get(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	static CompletableFuture<HttpResponse<String>> sendAsync(String path) {
		return client.sendAsync(HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + path)).timeout(WAIT).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A global filter outside every other, as an application's own would be: it registers a {@code beforeCommit}
	 * action and decorates the response, counting the writes that go through the decorator.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Probe {

		static final String BEFORE_COMMIT = "X-Before-Commit";

		static final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();

		static int decoratedWrites(String path) {
			AtomicInteger count = writes.get(path);
			return (count != null) ? count.get() : 0;
		}

		@Bean
		GlobalFilter probeFilter() {
			return new ProbeFilter();
		}

	}

	/** Ordered by the interface: SCG reads no {@code @Order} from a bean method. */
	static final class ProbeFilter implements GlobalFilter, Ordered {

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
			String path = exchange.getRequest().getPath().value();
			AtomicInteger count = Probe.writes.computeIfAbsent(path, (key) -> new AtomicInteger());
			exchange.getResponse()
				.beforeCommit(() -> Mono.fromRunnable(
						() -> exchange.getResponse().getHeaders().set(Probe.BEFORE_COMMIT, "ran")));
			ServerHttpResponseDecorator decorated = new ServerHttpResponseDecorator(exchange.getResponse()) {

				@Override
				public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
					count.incrementAndGet();
					return super.writeWith(body);
				}

				@Override
				public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
					count.incrementAndGet();
					return super.writeAndFlushWith(body);
				}

			};
			return chain.filter(exchange.mutate().response(decorated).build());
		}

	}

}
