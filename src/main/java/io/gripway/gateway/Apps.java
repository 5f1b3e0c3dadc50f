package io.gripway.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.gripway.app.App;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * The applications sharing this tier, and which one an exchange belongs to: the one its route's metadata
 * {@value #METADATA} names, else the {@linkplain App#standalone standalone} one (routes outside {@code gripway.apps}).
 *
 * <h3>Thread safety</h3> Immutable; shared by every exchange.
 */
public final class Apps {

	/** The route metadata key naming the application a route belongs to. */
	public static final String METADATA = "gripway-app";

	private final App standalone;

	private final Map<String, App> byName = new LinkedHashMap<>();

	/**
	 * @param standalone for routes that name no application
	 * @param apps the configured applications, with distinct names
	 */
	public Apps(App standalone, List<App> apps) {
		this.standalone = standalone;
		for (App app : apps) {
			if (this.byName.putIfAbsent(app.name(), app) != null) {
				throw new IllegalArgumentException("Application '" + app.name() + "' is configured twice");
			}
		}
	}

	/** No {@code gripway.apps}: every exchange is standalone. */
	public static Apps none(@Nullable Supplier<String> signature) {
		return new Apps(App.standalone(signature), List.of());
	}

	/** The application {@code exchange} was routed to. */
	public App of(ServerWebExchange exchange) {
		Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
		Object name = (route != null) ? route.getMetadata().get(METADATA) : null;
		if (name == null) {
			return this.standalone;
		}
		App app = this.byName.get(name.toString());
		if (app == null) {
			// a route that names an unknown application must not fall back to another's namespace or key
			throw new IllegalStateException("Route '" + route.getId() + "' names application '" + name
					+ "', which gripway.apps does not configure");
		}
		return app;
	}

	public App standalone() {
		return this.standalone;
	}

}
