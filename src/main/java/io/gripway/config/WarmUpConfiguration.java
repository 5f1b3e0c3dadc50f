package io.gripway.config;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

import io.gripway.bus.MessageBus;
import io.gripway.gateway.RequestTargetFilter;
import io.gripway.hold.HoldRegistry;
import io.gripway.passthrough.FastPassthrough;
import io.gripway.warmup.WarmUp;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;

/** Wires the warm-up before the proxy port opens (see {@link WarmUp}) and the route its requests take. */
@Configuration(proxyBeanMethods = false)
class WarmUpConfiguration {

	@Bean
	WarmUp warmUp(GripwayProperties properties, ObjectProvider<HttpHandler> handler,
			ObjectProvider<FastPassthrough.Setup> fastPath,
			ObjectProvider<NettyServerCustomizer> customizers, ReactorResourceFactory resources, HoldRegistry registry,
			MessageBus bus) {
		GripwayProperties.WarmUp warmUp = properties.warmUp();
		List<NettyServerCustomizer> serverCustomizers = customizers.orderedStream().toList();
		Function<HttpServer, HttpServer> customizer = (server) -> {
			HttpServer customized = server;
			for (NettyServerCustomizer each : serverCustomizers) {
				customized = each.apply(customized);
			}
			return customized;
		};
		// the application's handler behind the fast path, as the proxy port serves it
		Supplier<@Nullable BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>>> served = () -> {
			HttpHandler application = handler.getIfAvailable();
			return (application != null)
					? fastPath.getObject().inFrontOf(new ReactorHttpHandlerAdapter(application)) : null;
		};
		return new WarmUp(new WarmUp.Settings(warmUp.requests(), warmUp.timeout()), served, customizer,
				resources.getLoopResources(), registry, bus);
	}

	/** First, so nothing else matches the warm-up's requests; it matches nothing else (see {@link WarmUp#routes}). */
	@Bean
	RouteLocator gripwayWarmUpRoute(RouteLocatorBuilder routes, WarmUp warmUp, GripwayProperties properties) {
		if (properties.warmUp().requests() == 0) {
			return Flux::empty;
		}
		return routes.routes()
			.route(WarmUp.ROUTE_ID, (route) -> route.order(Ordered.HIGHEST_PRECEDENCE)
				.predicate(warmUp::routes)
				.filters((filters) -> filters.filter(warmUp.toOrigin(), RequestTargetFilter.REQUEST_TARGET_FILTER_ORDER))
				.uri("http://127.0.0.1"))
			.build();
	}

}
