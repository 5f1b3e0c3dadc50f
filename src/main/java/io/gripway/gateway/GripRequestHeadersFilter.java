package io.gripway.gateway;

import java.util.function.Supplier;

import io.gripway.instruct.GripHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeadersFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.web.server.ServerWebExchange;

/**
 * The headers every request to an origin carries: no {@code Grip-*} header from the client (so nobody can forge
 * {@code Grip-Last} or {@code Grip-Sig}), then Gripway's own {@code Grip-Sig} (the route's application's, see
 * {@link Apps}) and {@code Grip-Feature}.
 */
public final class GripRequestHeadersFilter implements HttpHeadersFilter {

	/** What this proxy supports, for origins that detect features (reference §5.2). */
	public static final String FEATURES = "status, link:next, link:gone, filter:skip-self, filter:skip-users, "
			+ "filter:require-sub, filter:build-id, filter:var-subst";

	private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

	private final Apps apps;

	/** @param apps whose Grip-Sig each route's requests carry */
	public GripRequestHeadersFilter(Apps apps) {
		this.apps = apps;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		// Netty's header map matches names case-insensitively in place, where Spring's default map stores a lower-cased
		// copy of each; the names came through the HTTP codec's checks already, and go back into Netty headers next
		HttpHeaders filtered = new HttpHeaders(new Netty4HeadersAdapter(HEADERS.newHeaders()));
		input.forEach((name, values) -> {
			if (!GripHeaders.isGripHeader(name)) {
				filtered.addAll(name, values);
			}
		});
		@Nullable Supplier<String> signature = this.apps.of(exchange).signature();
		if (signature != null) {
			filtered.set(GripHeaders.GRIP_SIG, signature.get());
		}
		filtered.set(GripHeaders.GRIP_FEATURE, FEATURES);
		return filtered;
	}

	@Override
	public boolean supports(Type type) {
		return type == Type.REQUEST;
	}

}
