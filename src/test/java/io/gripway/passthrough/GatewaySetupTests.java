package io.gripway.passthrough;

import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.XForwardedHeadersFilter;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast path is used only where the gateway is set up as it reproduces, and says what else it found. */
class GatewaySetupTests {

	private static final GlobalFilter ROUTING = new NettyRoutingFilter(null, null, null);

	private static final List<HttpHeadersFilter> HEADERS = List.of(new RemoveHopByHopHeadersFilter(),
			new XForwardedHeadersFilter("127\\.0\\.0\\.1"));

	@Test
	void theGatewaysOwnFiltersWithTheirDefaultsAreReproduced() {
		assertThat(GatewaySetup.differences(List.of(ROUTING), HEADERS, List.of(), List.of(), false, false)).isEmpty();
	}

	@Test
	void aFilterOfAnyoneElsesTurnsItOffByName() {
		GlobalFilter own = (exchange, chain) -> chain.filter(exchange);
		WebFilter web = (exchange, chain) -> Mono.empty();
		assertThat(GatewaySetup.differences(List.of(ROUTING, own), HEADERS, List.of(web), List.of(), false, false))
			.hasSize(2)
			.anySatisfy(difference -> assertThat(difference).startsWith("global filter ")
				.contains(own.getClass().getName()))
			.anySatisfy(difference -> assertThat(difference).startsWith("web filter "));
	}

	@Test
	void forwardedHeadersOtherThanByDefaultTurnItOff() {
		XForwardedHeadersFilter forwarded = new XForwardedHeadersFilter("127\\.0\\.0\\.1");
		forwarded.setPortAppend(false);
		assertThat(GatewaySetup.differences(List.of(), List.of(forwarded), List.of(), List.of(), false, false))
			.containsExactly("X-Forwarded-* headers configured other than by default");
	}

	@Test
	void crossOriginAndServerObservationsTurnItOff() {
		assertThat(GatewaySetup.differences(List.of(), List.of(), List.of(), List.<HandlerMapping>of(), true, true))
			.containsExactly("auto cross-origin (gripway.cors.auto) is on",
					"the http.server.requests observation is on");
	}

}
