package io.gripway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.gripway.gateway.Apps;
import io.gripway.gateway.GripFilter;
import io.gripway.hold.HoldRegistry;
import io.gripway.metrics.MeterNames;
import io.gripway.metrics.OriginMetricsFilter;
import io.gripway.passthrough.FastPassthrough;
import io.gripway.passthrough.GatewaySetup;
import io.gripway.passthrough.OriginRequestHeaders;
import io.gripway.passthrough.PlainRoutes;
import io.gripway.warmup.WarmUp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.TrustedProxies;
import org.springframework.cloud.gateway.filter.headers.XForwardedHeadersFilter;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.WebFilter;

/**
 * Wires the passthrough fast path (see {@link FastPassthrough}) from the gateway's own settings and beans, so that
 * it relays as the gateway would; {@link GripwayConfiguration} puts it in front of the gateway.
 */
@Configuration(proxyBeanMethods = false)
class PassthroughConfiguration {

	private static final String SERVER_OBSERVATIONS = "http.server.requests";

	@Bean
	PlainRoutes plainRoutes(RouteLocator routes, ObjectProvider<WarmUp> warmUp) {
		// looked up once: a bean lookup on every request cost more than the rest of the route's choice
		SingletonSupplier<@Nullable WarmUp> found = SingletonSupplier.of(warmUp::getIfAvailable);
		return new PlainRoutes(routes, GripwayConfiguration.ORIGIN_ROUTE_ID, WarmUp.ROUTE_ID, local -> {
			WarmUp running = found.get();
			return (running != null) ? running.origin(local) : null;
		});
	}

	@Bean
	FastPassthrough.Setup fastPassthrough(GripwayProperties properties, PlainRoutes routes, HttpClient httpClient,
			HttpClientProperties client, GatewayProperties gateway, ObjectProvider<GlobalFilter> globalFilters,
			ObjectProvider<HttpHeadersFilter> headersFilters, ObjectProvider<WebFilter> webFilters,
			ObjectProvider<HandlerMapping> handlerMappings, GripFilter grip, OriginMetricsFilter metrics,
			HoldRegistry registry, Apps apps, MeterRegistry meters, Environment environment) {
		List<HttpHeadersFilter> headers = headersFilters.orderedStream().toList();
		List<String> differences = new ArrayList<>(GatewaySetup.differences(
				globalFilters.orderedStream().toList(), headers, webFilters.orderedStream().toList(),
				handlerMappings.orderedStream().toList(), properties.cors().auto(),
				observationEnabled(environment, SERVER_OBSERVATIONS)));
		if (!properties.passthrough().fastPath()) {
			differences.add(0, "gripway.passthrough.fast-path is false");
		}
		Set<String> hopByHop = headers.stream()
			.filter(RemoveHopByHopHeadersFilter.class::isInstance)
			.findFirst()
			.map(filter -> ((RemoveHopByHopHeadersFilter) filter).getHeaders())
			.orElse(Set.of())
			.stream()
			.map(name -> name.toLowerCase(Locale.ROOT))
			.collect(Collectors.toSet());
		String trusted = environment.getProperty(TrustedProxies.PROPERTY);
		boolean forwarded = headers.stream().anyMatch(XForwardedHeadersFilter.class::isInstance);
		OriginRequestHeaders originHeaders = new OriginRequestHeaders(hopByHop,
				(forwarded && StringUtils.hasText(trusted)) ? TrustedProxies.from(trusted) : null,
				apps.standalone().signature());
		// as NettyRoutingFilter applies it to each request of a route without a timeout of its own
		HttpClient connecting = (client.getConnectTimeout() != null)
				? httpClient.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, client.getConnectTimeout()) : httpClient;
		return new FastPassthrough.Setup(routes, originHeaders,
				new FastPassthrough.Relay(connecting, client.getResponseTimeout(), hopByHop,
						gateway.getStreamingMediaTypes(), grip, metrics, registry,
						Counter.builder(MeterNames.PASSTHROUGH_FAST)
							.description("Plain requests relayed by the passthrough fast path")
							.register(meters)),
				differences);
	}

	/**
	 * The fast path's route on the proxy port's server, ahead of the one to WebFlux. A customizer of this context's
	 * factory, not a route provider bean, which the management port's server would get too.
	 */
	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> fastPassthroughRoute(
			ObjectProvider<FastPassthrough.Setup> setup) {
		// looked up when the server starts: the fast path's beans need the gateway's, which need more than a factory
		return factory -> factory.addRouteProviders(routes -> setup.getObject().route(routes));
	}

	/** As Spring Boot decides it from {@code management.observations.enable}: the longest matching prefix wins. */
	private static boolean observationEnabled(Environment environment, String name) {
		Map<String, Boolean> enable = Binder.get(environment)
			.bind("management.observations.enable", Bindable.mapOf(String.class, Boolean.class))
			.orElse(Map.of());
		for (String key = name; !key.isEmpty(); key = parent(key)) {
			Boolean enabled = enable.get(key);
			if (enabled != null) {
				return enabled;
			}
		}
		return enable.getOrDefault("all", true);
	}

	private static String parent(String name) {
		int dot = name.lastIndexOf('.');
		return (dot > 0) ? name.substring(0, dot) : "";
	}

}
