package io.gripway.config;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.gripway.bus.MessageBus;
import io.gripway.bus.MessageBuses;
import io.gripway.crossorigin.JsonpMode;
import io.gripway.crossorigin.JsonpSettings;
import io.gripway.demo.DemoOrigin;
import io.gripway.gateway.Apps;
import io.gripway.gateway.CrossOriginFilter;
import io.gripway.gateway.DetachingHttpHandler;
import io.gripway.gateway.GripFilter;
import io.gripway.gateway.GripRequestHeadersFilter;
import io.gripway.gateway.GripResponder;
import io.gripway.gateway.OriginFailureFilter;
import io.gripway.gateway.PreflightRelayFilter;
import io.gripway.gateway.Recoveries;
import io.gripway.gateway.RequestBodyRetainingFilter;
import io.gripway.gateway.RequestTargetFilter;
import io.gripway.history.ChannelHistory;
import io.gripway.history.ChannelPatterns;
import io.gripway.history.HistorySettings;
import io.gripway.hold.HoldLimits;
import io.gripway.hold.HoldListener;
import io.gripway.hold.HoldRegistry;
import io.gripway.lifecycle.BusLifecycle;
import io.gripway.passthrough.FastPassthrough;
import io.gripway.publish.endpoint.PublishServer;
import io.gripway.signing.GripSigner;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * Wires Gripway: the bus, the registry of held connections, the gateway filters and the routes; the publish API is
 * wired by {@link PublishConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
class GripwayConfiguration {

	/** The id of the route that {@code gripway.origin} defines. */
	static final String ORIGIN_ROUTE_ID = "gripway-origin";

	@Bean
	@ConditionalOnProperty(prefix = "gripway.bus", name = "type", havingValue = "memory", matchIfMissing = true)
	MessageBus localMessageBus(GripwayProperties properties) {
		return MessageBuses.local(properties.bus().queueCapacity());
	}

	@Bean
	@ConditionalOnProperty(prefix = "gripway.bus", name = "type", havingValue = "redis")
	MessageBus redisMessageBus(GripwayProperties properties, Environment environment) {
		GripwayProperties.Redis redis = properties.bus().redis();
		return MessageBuses.redis(BusRedisUrl.resolve(redis.url(), false, environment), redis.channelPrefix(),
				redis.subscriptionLinger(), redis.commandTimeout(), properties.bus().queueCapacity());
	}

	@Bean
	@ConditionalOnProperty(prefix = "gripway.bus", name = "type", havingValue = "redis-cluster")
	MessageBus redisClusterMessageBus(GripwayProperties properties, Environment environment) {
		GripwayProperties.Redis redis = properties.bus().redis();
		return MessageBuses.redisCluster(BusRedisUrl.resolve(redis.url(), true, environment), redis.channelPrefix(),
				redis.subscriptionLinger(), redis.commandTimeout(), properties.bus().queueCapacity(),
				redis.topologyRefresh());
	}

	/**
	 * History at the edge, off unless {@code gripway.history.channels} names some: kept by the bus, in this node's
	 * memory for the in-memory bus, in Redis (written with each publish) for the Redis buses. Asked before the bus
	 * starts, which the registry does.
	 */
	@Bean
	ChannelHistory channelHistory(MessageBus bus, GripwayProperties properties) {
		GripwayProperties.History history = properties.history();
		ChannelPatterns channels = new ChannelPatterns(history.channels());
		if (channels.isEmpty()) {
			return ChannelHistory.NONE;
		}
		return bus.keepHistory(new HistorySettings(channels, history.size(), history.ttl(), history.maxChannels()));
	}

	@Bean
	HoldRegistry holdRegistry(MessageBus bus, GripwayProperties properties, ObjectProvider<HoldListener> listener,
			ChannelHistory history) {
		GripwayProperties.Hold hold = properties.hold();
		HoldRegistry registry = new HoldRegistry(bus, new HoldLimits(hold.maxConnections(),
				hold.maxSubscriptionsPerConnection(), hold.idCacheTtl(), hold.idCacheSize(), hold.messageWait()),
				listener.getIfAvailable(() -> HoldListener.NONE), history);
		return registry;
	}

	/** The bus starts delivering to the registry once the context is ready (see {@link BusLifecycle}). */
	@Bean
	BusLifecycle busLifecycle(MessageBus bus, HoldRegistry registry) {
		return new BusLifecycle(bus, registry);
	}

	/**
	 * Lets out items that waited their {@code message-wait} for a gap: a few checks per wait, as Pushpin checks every
	 * second for its 5 s.
	 */
	@Bean(destroyMethod = "dispose")
	Disposable sequencerTimer(HoldRegistry registry, GripwayProperties properties) {
		long period = Math.max(10, Math.min(1000, properties.hold().messageWait().toMillis() / 5));
		return Schedulers.parallel().schedulePeriodically(registry::releaseOverdue, period, period,
				TimeUnit.MILLISECONDS);
	}

	@Bean
	Recoveries recoveries(HttpClient httpClient, GripwayProperties properties) {
		GripwayProperties.Reliability reliability = properties.reliability();
		return new Recoveries(httpClient, Schedulers.parallel(),
				new Recoveries.Settings(reliability.maxRetries(), reliability.retryBase(),
						reliability.recoveriesPerSecond(), reliability.recoveryBatch(),
						reliability.maxPageSize().toBytes()));
	}

	@Bean
	GripResponder gripResponder(HoldRegistry registry, GripwayProperties properties, Recoveries recoveries,
			Apps apps) {
		GripwayProperties.Hold hold = properties.hold();
		return new GripResponder(registry, hold.maxResponseBody().toBytes(), hold.queueCapacity(),
				Schedulers.parallel(), recoveries, apps);
	}

	/** Keeps small request bodies, as Pushpin does, so a long-poll whose request had one can be retried with it. */
	@Bean
	RequestBodyRetainingFilter requestBodyRetainingFilter(GripwayProperties properties) {
		return new RequestBodyRetainingFilter(properties.hold().maxRequestBody().toBytes());
	}

	@Bean
	GripFilter gripFilter(GripResponder responder) {
		return new GripFilter(responder);
	}

	/**
	 * Held responses outlive their exchange (see {@link DetachingHttpHandler}); the passthrough fast path (see
	 * {@link FastPassthrough}) learns the gateway's handler, for the few answers it gives on WebFlux.
	 */
	@Bean
	WebHttpHandlerBuilderCustomizer detachingHttpHandler(FastPassthrough.Setup fastPassthrough) {
		return builder -> builder.httpHandlerDecorator(gateway -> {
			HttpHandler application = new DetachingHttpHandler(gateway);
			fastPassthrough.install(gateway, application);
			return application;
		});
	}

	@Bean
	CrossOriginFilter crossOriginFilter(GripwayProperties properties) {
		GripwayProperties.Cors cors = properties.cors();
		GripwayProperties.Cors.Jsonp jsonp = cors.jsonp();
		return new CrossOriginFilter(cors.auto(), new JsonpSettings(JsonpMode.of(jsonp.mode()), jsonp.callbackParam(),
				jsonp.bodyParam(), jsonp.defaultCallback(), jsonp.defaultMethod()),
				(int) properties.hold().maxResponseBody().toBytes());
	}

	@Bean
	PreflightRelayFilter preflightRelayFilter() {
		return new PreflightRelayFilter();
	}

	@Bean
	OriginFailureFilter originFailureFilter() {
		return new OriginFailureFilter();
	}

	@Bean
	RequestTargetFilter requestTargetFilter() {
		return new RequestTargetFilter();
	}

	@Bean
	GripRequestHeadersFilter gripRequestHeadersFilter(Apps apps) {
		return new GripRequestHeadersFilter(apps);
	}

	/** The current Grip-Sig token for requests to origins, or {@code null} when no key is set. */
	static @Nullable Supplier<String> signature(GripwayProperties.Signing signing) {
		if (signing.key().isEmpty()) {
			return null;
		}
		return new GripSigner(signing.key(), signing.issuer(), Clock.systemUTC())::token;
	}

	@Bean
	@ConditionalOnProperty("gripway.origin")
	RouteLocator gripwayOriginRoute(RouteLocatorBuilder routes, GripwayProperties properties) {
		// last, so routes configured under spring.cloud.gateway.server.webflux.routes win where they match
		return routes.routes()
			.route(ORIGIN_ROUTE_ID, route -> route.order(Ordered.LOWEST_PRECEDENCE).alwaysTrue()
				.uri(properties.origin()))
			.build();
	}

	@Bean
	@ConditionalOnProperty(prefix = "gripway.demo", name = "enabled", havingValue = "true")
	DemoOrigin demoOrigin(GripwayProperties properties, PublishServer publishServer) {
		return new DemoOrigin(properties.demo().port(), publishServer::port);
	}

}
