package io.gripway.warmup;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.gripway.lifecycle.BusLifecycle;
import io.gripway.metrics.MeterNames;
import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.RedisServer;
import io.gripway.test.TestOrigin;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.SmartLifecycle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm-up before the proxy port opens: long-polls, streams and plain requests go through the proxy's own path,
 * held and released through the bus, to the warm-up's private origin; none reaches the configured origin, none is
 * left held, and the proxy port serves the configured routes afterwards.
 */
class WarmUpIntegrationTests {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void warmUpHoldsAndReleasesEveryKindOfRequestWithoutTouchingTheConfiguredOrigin() throws Exception {
		try (TestOrigin origin = new TestOrigin().route("/after",
				(request, response) -> response.sendString(Mono.just("origin\n")));
				GripwayInstance gripway = GripwayInstance.start("gripway.origin=" + origin.url(),
						"gripway.warm-up.requests=300")) {
			WarmUpReport report = gripway.context().getBean(WarmUp.class).report();
			assertThat(report).isNotNull();
			// one round of each kind: 100 long-polls answered by a publish, 100 streams sent an event and closed by
			// one, 100 plain requests
			assertThat(report.requests()).isEqualTo(300);
			assertThat(report.longPolls()).isEqualTo(100);
			assertThat(report.streams()).isEqualTo(100);
			assertThat(report.plain()).isEqualTo(100);
			// through the proxy port's own path: the passthrough fast path in front of WebFlux, for all but the
			// quarter of the plain requests that are POSTs
			assertThat(gripway.context().getBean(MeterRegistry.class).counter(MeterNames.PASSTHROUGH_FAST).count())
				.isEqualTo(275);
			assertThat(origin.received()).isEmpty();
			Await.until("no warm-up connection left held", Duration.ofSeconds(10),
					() -> gripway.registry().heldCount() == 0);

			HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/after"))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(after.statusCode()).isEqualTo(200);
			assertThat(after.body()).isEqualTo("origin\n");
			assertThat(origin.received()).extracting(TestOrigin.Received::uri).containsExactly("/after");
		}
	}

	@Test
	void aNodeThatHoldsFewConnectionsWarmsUpInRoundsItCanHold() {
		// 10 held at most: rounds of 5, so each round is held whole and released by its publish
		try (GripwayInstance gripway = GripwayInstance.start("gripway.hold.max-connections=10",
				"gripway.warm-up.requests=30")) {
			WarmUpReport report = gripway.context().getBean(WarmUp.class).report();
			assertThat(report).isNotNull();
			assertThat(report.requests()).isEqualTo(30);
			assertThat(report.longPolls()).isEqualTo(10);
			assertThat(report.streams()).isEqualTo(10);
			assertThat(report.plain()).isEqualTo(10);
		}
	}

	@Test
	void warmUpRunsAfterTheBusStartsAndBeforeTheProxyPortOpens() {
		try (GripwayInstance gripway = GripwayInstance.start("gripway.warm-up.requests=3")) {
			int warmUp = gripway.context().getBean(WarmUp.class).getPhase();
			int webServer = gripway.context().getBean("webServerStartStop", SmartLifecycle.class).getPhase();
			assertThat(warmUp).isGreaterThan(gripway.context().getBean(BusLifecycle.class).getPhase())
				.isLessThan(webServer);
		}
	}

	@Test
	void warmUpReleasesItsHoldsThroughTheRedisBus() {
		try (RedisServer redis = RedisServer.create().start();
				GripwayInstance gripway = GripwayInstance.start("gripway.bus.type=redis",
						"gripway.bus.redis.url=" + redis.url(), "gripway.warm-up.requests=200")) {
			WarmUpReport report = gripway.context().getBean(WarmUp.class).report();
			assertThat(report).isNotNull();
			assertThat(report.longPolls()).isEqualTo(100);
			assertThat(report.streams()).isEqualTo(100);
			Await.until("no warm-up connection left held", Duration.ofSeconds(10),
					() -> gripway.registry().heldCount() == 0);
		}
	}

	@Test
	void noWarmUpAndNoWarmUpRouteWhenDisabled() {
		try (GripwayInstance gripway = GripwayInstance.start("gripway.warm-up.requests=0")) {
			assertThat(gripway.context().getBean(WarmUp.class).report()).isNull();
			List<Route> routes = gripway.context().getBean(RouteLocator.class).getRoutes().collectList()
				.block(Duration.ofSeconds(5));
			assertThat(routes).extracting(Route::getId).doesNotContain(WarmUp.ROUTE_ID);
		}
	}

}
