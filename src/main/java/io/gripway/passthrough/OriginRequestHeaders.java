package io.gripway.passthrough;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.gripway.gateway.GripRequestHeadersFilter;
import io.gripway.instruct.GripHeaders;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.headers.TrustedProxies;
import org.springframework.cloud.gateway.filter.headers.XForwardedHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The headers a plain request carries to the origin: what the gateway's header filters
 * ({@code RemoveHopByHopHeadersFilter}, {@code XForwardedHeadersFilter}, {@link GripRequestHeadersFilter}) make of
 * the client's, in one pass and in the same order, or {@code null} for a request whose headers ask for more than that
 * pass does (a body, an upgrade, forwarded headers of its own, hop-by-hop headers other than {@code Connection:
 * keep-alive|close}, gRPC), which then takes the gateway's path.
 *
 * <h3>Thread safety</h3> Immutable; shared by every request.
 */
public final class OriginRequestHeaders {

	// what the gateway would act on beyond copying, besides the hop-by-hop headers it is configured to remove
	private static final Set<String> NOT_PLAIN = Set.of("content-length", "transfer-encoding", "upgrade", "forwarded");

	private final Set<String> hopByHop;

	private final @Nullable TrustedProxies trustedProxies;

	private final @Nullable Supplier<String> signature;

	/**
	 * @param hopByHop the lower-case names the gateway's {@code RemoveHopByHopHeadersFilter} removes
	 * @param trustedProxies the peers whose requests get {@code X-Forwarded-*} headers, {@code null} when the gateway
	 * adds none
	 * @param signature the {@code Grip-Sig} token of the route's application, {@code null} when it signs nothing
	 */
	public OriginRequestHeaders(Set<String> hopByHop, @Nullable TrustedProxies trustedProxies,
			@Nullable Supplier<String> signature) {
		this.hopByHop = Set.copyOf(hopByHop);
		this.trustedProxies = trustedProxies;
		this.signature = signature;
	}

	/** The origin's headers for {@code request}, without {@code Host} (the client sets it), or {@code null}. */
	@Nullable DefaultHttpHeaders of(ServerHttpRequest request) {
		DefaultHttpHeaders headers = new DefaultHttpHeaders();
		for (Map.Entry<String, List<String>> header : request.getHeaders().headerSet()) {
			String name = header.getKey();
			String lower = name.toLowerCase(Locale.ROOT);
			if (lower.equals("connection")) {
				if (!onlyPersistence(header.getValue())) {
					return null;
				}
			}
			else if (NOT_PLAIN.contains(lower) || this.hopByHop.contains(lower) || lower.startsWith("x-forwarded-")
					|| isGrpc(lower, header.getValue())) {
				return null;
			}
			else if (!lower.equals("host") && !GripHeaders.isGripHeader(name)) {
				headers.add(name, header.getValue());
			}
		}
		addForwarded(headers, request);
		Supplier<String> signature = this.signature;
		if (signature != null) {
			headers.set(GripHeaders.GRIP_SIG, signature.get());
		}
		headers.set(GripHeaders.GRIP_FEATURE, GripRequestHeadersFilter.FEATURES);
		return headers;
	}

	/** As {@code XForwardedHeadersFilter} with its defaults, for a request that brought no forwarded headers. */
	private void addForwarded(DefaultHttpHeaders headers, ServerHttpRequest request) {
		TrustedProxies trusted = this.trustedProxies;
		if (trusted == null) {
			return;
		}
		InetSocketAddress remote = request.getRemoteAddress();
		if (remote != null && !trusted.isTrusted(remote.getHostString())) {
			return;
		}
		if (remote != null && remote.getAddress() != null) {
			headers.add(XForwardedHeadersFilter.X_FORWARDED_FOR_HEADER, remote.getHostString());
		}
		URI uri = request.getURI();
		String scheme = uri.getScheme();
		headers.add(XForwardedHeadersFilter.X_FORWARDED_PROTO_HEADER, scheme);
		int port = uri.getPort();
		boolean https = XForwardedHeadersFilter.HTTPS_SCHEME.equals(scheme);
		headers.add(XForwardedHeadersFilter.X_FORWARDED_PORT_HEADER, String.valueOf((port >= 0) ? port
				: (https ? XForwardedHeadersFilter.HTTPS_PORT : XForwardedHeadersFilter.HTTP_PORT)));
		boolean defaultPort = port < 0 || (port == XForwardedHeadersFilter.HTTP_PORT
				&& XForwardedHeadersFilter.HTTP_SCHEME.equals(scheme))
				|| (port == XForwardedHeadersFilter.HTTPS_PORT && https);
		headers.add(XForwardedHeadersFilter.X_FORWARDED_HOST_HEADER,
				defaultPort ? uri.getHost() : uri.getHost() + ":" + port);
	}

	private static boolean onlyPersistence(List<String> values) {
		for (String value : values) {
			for (String token : value.split(",")) {
				String option = token.trim();
				if (!option.equalsIgnoreCase("keep-alive") && !option.equalsIgnoreCase("close")) {
					return false;
				}
			}
		}
		return true;
	}

	private static boolean isGrpc(String lowerName, List<String> values) {
		return lowerName.equals("content-type") && !values.isEmpty()
				&& values.get(0).regionMatches(true, 0, "application/grpc", 0, "application/grpc".length());
	}

}
