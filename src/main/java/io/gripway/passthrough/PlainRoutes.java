package io.gripway.passthrough;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationListener;

/**
 * Which route a request takes when the fast path may relay it: Gripway's own route ({@code gripway.origin}), which
 * matches every request and has no filters, provided it is the only route a client's request can take; and the
 * warm-up's route for the warm-up's own requests. Read from the gateway's routes at start and again whenever they
 * are refreshed; until then, and whenever other routes are configured, no request is relayed here.
 *
 * <h3>Thread safety</h3> The routes are replaced whole, through a volatile field; read by every request.
 */
public final class PlainRoutes implements ApplicationListener<RefreshRoutesResultEvent> {

	private static final Log logger = LogFactory.getLog(PlainRoutes.class);

	private static final Set<String> NETWORK_SCHEMES = Set.of("http", "https");

	/** A route and the origin its requests go to: scheme and authority, the request target comes from the client. */
	record Target(Route route, URI origin) {
	}

	private final RouteLocator locator;

	private final String originRouteId;

	private final String warmUpRouteId;

	private final Function<@Nullable InetSocketAddress, @Nullable URI> warmUpOrigin;

	private volatile @Nullable Resolved resolved;

	// each reading of the routes has its number; only the latest may set them (a refresh may overtake a reading)
	private final AtomicLong readings = new AtomicLong();

	/**
	 * @param originRouteId the id of Gripway's own route
	 * @param warmUpRouteId the id of the warm-up's route
	 * @param warmUpOrigin the warm-up's origin for a request that came in on this local address, {@code null} for one
	 * that is not the warm-up's
	 */
	public PlainRoutes(RouteLocator locator, String originRouteId, String warmUpRouteId,
			Function<@Nullable InetSocketAddress, @Nullable URI> warmUpOrigin) {
		this.locator = locator;
		this.originRouteId = originRouteId;
		this.warmUpRouteId = warmUpRouteId;
		this.warmUpOrigin = warmUpOrigin;
	}

	private record Resolved(@Nullable Target origin, @Nullable Route warmUp) {
	}

	/** The route a request that came in on {@code local} takes if the fast path may relay it, else {@code null}. */
	@Nullable Target target(@Nullable InetSocketAddress local) {
		Resolved resolved = this.resolved;
		if (resolved == null) {
			resolve();
			resolved = this.resolved;
			if (resolved == null) {
				return null;
			}
		}
		Target origin = resolved.origin();
		if (origin == null) {
			return null;
		}
		Route warmUp = resolved.warmUp();
		if (warmUp != null) {
			URI warmUpOrigin = this.warmUpOrigin.apply(local);
			if (warmUpOrigin != null) {
				return new Target(warmUp, warmUpOrigin);
			}
		}
		return origin;
	}

	/** The gateway has new routes: read them now, before the next request. */
	@Override
	public void onApplicationEvent(RefreshRoutesResultEvent event) {
		this.resolved = null;
		resolve();
	}

	/**
	 * Reads the routes; the gateway caches them, so this completes at once. Routes that cannot be read turn the fast
	 * path off until the next refresh (not a new reading, and a warning, on every request).
	 */
	void resolve() {
		long reading = this.readings.incrementAndGet();
		this.locator.getRoutes().collectList().subscribe(routes -> {
			if (reading != this.readings.get()) {
				return;
			}
			Resolved resolved = resolved(routes);
			this.resolved = resolved;
			if (resolved.origin() == null) {
				logger.info("Passthrough fast path not used: routes other than " + this.originRouteId
						+ " are configured, or it has filters or metadata");
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Passthrough fast path on for route " + this.originRouteId);
			}
		}, error -> {
			if (reading == this.readings.get()) {
				this.resolved = new Resolved(null, null);
			}
			logger.warn("Passthrough fast path not used: the routes could not be read", error);
		});
	}

	private Resolved resolved(List<Route> routes) {
		Target origin = null;
		Route warmUp = null;
		for (Route route : routes) {
			if (route.getId().equals(this.warmUpRouteId)) {
				warmUp = route;
			}
			else if (route.getId().equals(this.originRouteId) && isPlain(route)) {
				origin = new Target(route, URI.create(route.getUri().getScheme() + "://"
						+ route.getUri().getRawAuthority()));
			}
			else {
				return new Resolved(null, null);
			}
		}
		return new Resolved(origin, warmUp);
	}

	private static boolean isPlain(Route route) {
		URI uri = route.getUri();
		return route.getFilters().isEmpty() && route.getMetadata().isEmpty() && uri.getScheme() != null
				&& NETWORK_SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT)) && uri.getRawAuthority() != null
				&& uri.getRawUserInfo() == null;
	}

}
