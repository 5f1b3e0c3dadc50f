package io.gripway.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import io.gripway.app.App;
import io.gripway.app.ChannelNamespace;
import io.gripway.gateway.Apps;

import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.BooleanSpec;
import org.springframework.cloud.gateway.route.builder.PredicateSpec;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires {@code gripway.apps}: the applications sharing this tier, and one gateway route per configured route of
 * theirs, with its host and path predicates and metadata {@value Apps#METADATA} naming its application, which gives
 * its exchanges their channel namespace and Grip-Sig. Their publishers are wired with the others by
 * {@link PublishConfiguration}. With no {@code gripway.apps}, there is one standalone application: no prefix, and
 * {@code gripway.signing}.
 */
@Configuration(proxyBeanMethods = false)
class AppsConfiguration {

	/** The prefix of the ids of the routes {@code gripway.apps[N].routes} define: {@code gripway-app-<name>-<i>}. */
	static final String ROUTE_ID_PREFIX = "gripway-app-";

	@Bean
	Apps apps(GripwayProperties properties) {
		List<App> apps = new ArrayList<>();
		for (int i = 0; i < properties.apps().size(); i++) {
			GripwayProperties.App app = properties.apps().get(i);
			apps.add(new App(app.name(), namespace(app, i), GripwayConfiguration.signature(app.signing())));
		}
		try {
			return new Apps(App.standalone(GripwayConfiguration.signature(properties.signing())), apps);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("gripway.apps: " + ex.getMessage(), ex);
		}
	}

	@Bean
	RouteLocator gripwayAppRoutes(RouteLocatorBuilder routes, GripwayProperties properties) {
		RouteLocatorBuilder.Builder builder = routes.routes();
		for (int i = 0; i < properties.apps().size(); i++) {
			GripwayProperties.App app = properties.apps().get(i);
			for (int j = 0; j < app.routes().size(); j++) {
				GripwayProperties.AppRoute route = app.routes().get(j);
				String where = "gripway.apps[" + i + "].routes[" + j + "]";
				URI uri = route.uri();
				if (uri == null) {
					throw new IllegalStateException(where + ".uri is required");
				}
				if (route.hosts().isEmpty() && route.paths().isEmpty()) {
					// a route that matched everything would take every other application's requests too
					throw new IllegalStateException(where + " needs hosts or paths (\"/**\" for every path)");
				}
				// order 0, as routes under spring.cloud.gateway.server.webflux.routes; before gripway.origin's
				builder.route(ROUTE_ID_PREFIX + app.name() + "-" + j,
						(spec) -> predicates(spec.order(0), route).metadata(Apps.METADATA, app.name()).uri(uri));
			}
		}
		return builder.build();
	}

	private static BooleanSpec predicates(PredicateSpec spec, GripwayProperties.AppRoute route) {
		String[] paths = route.paths().toArray(String[]::new);
		if (route.hosts().isEmpty()) {
			return spec.path(paths);
		}
		BooleanSpec hosts = spec.host(route.hosts().toArray(String[]::new));
		return (paths.length == 0) ? hosts : hosts.and().path(paths);
	}

	/** The namespace of {@code gripway.apps[index]}, its name checked. */
	static ChannelNamespace namespace(GripwayProperties.App app, int index) {
		try {
			return ChannelNamespace.of(app.name());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("gripway.apps[" + index + "].name: " + ex.getMessage(), ex);
		}
	}

}
