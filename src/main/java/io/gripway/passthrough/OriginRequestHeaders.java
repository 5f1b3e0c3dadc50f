package io.gripway.passthrough;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import io.gripway.gateway.GripRequestHeadersFilter;
import io.gripway.instruct.GripHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.cloud.gateway.filter.headers.TrustedProxies;
import org.springframework.cloud.gateway.filter.headers.XForwardedHeadersFilter;

/**
 * The headers a plain request carries to the origin: what the gateway's header filters
 * ({@code RemoveHopByHopHeadersFilter}, {@code XForwardedHeadersFilter}, {@link GripRequestHeadersFilter}) make of
 * the client's, in the same order. {@link #isPlain} first tells whether a request's headers ask for no more than
 * that (no body, upgrade, forwarded headers of its own, hop-by-hop headers other than {@code Connection:
 * keep-alive|close}, gRPC); any other request takes the gateway's path.
 *
 * <h3>Thread safety</h3> Immutable; shared by every request.
 */
public final class OriginRequestHeaders {

	// what the gateway would act on beyond copying, besides the hop-by-hop headers it is configured to remove
	private static final Set<String> NOT_PLAIN = ignoringCase(
			Set.of("content-length", "transfer-encoding", "upgrade", "forwarded"));

	// Gripway's own headers, spelt as bytes: Netty copies and checks those without a pass per character
	private static final AsciiString GRIP_SIG = AsciiString.cached(GripHeaders.GRIP_SIG);

	private static final AsciiString GRIP_FEATURE = AsciiString.cached(GripHeaders.GRIP_FEATURE);

	private static final AsciiString FEATURES = AsciiString.cached(GripRequestHeadersFilter.FEATURES);

	private static final AsciiString X_FORWARDED_FOR = AsciiString
		.cached(XForwardedHeadersFilter.X_FORWARDED_FOR_HEADER);

	private static final AsciiString X_FORWARDED_PROTO = AsciiString
		.cached(XForwardedHeadersFilter.X_FORWARDED_PROTO_HEADER);

	private static final AsciiString X_FORWARDED_PORT = AsciiString
		.cached(XForwardedHeadersFilter.X_FORWARDED_PORT_HEADER);

	private static final AsciiString X_FORWARDED_HOST = AsciiString
		.cached(XForwardedHeadersFilter.X_FORWARDED_HOST_HEADER);

	private static final String X_FORWARDED = "x-forwarded-";

	private static final String GRPC = "application/grpc";

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
		this.hopByHop = ignoringCase(hopByHop);
		this.trustedProxies = trustedProxies;
		this.signature = signature;
	}

	/** Whether the client's headers ask for nothing beyond what {@link #copy} does. */
	boolean isPlain(HttpHeaders client) {
		for (Map.Entry<String, String> header : client) {
			String name = header.getKey();
			if (name.equalsIgnoreCase("connection")) {
				if (!isPersistenceOption(header.getValue())) {
					return false;
				}
			}
			else if (NOT_PLAIN.contains(name) || this.hopByHop.contains(name)
					|| name.regionMatches(true, 0, X_FORWARDED, 0, X_FORWARDED.length())) {
				return false;
			}
		}
		String contentType = client.get(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE);
		return contentType == null || !contentType.regionMatches(true, 0, GRPC, 0, GRPC.length());
	}

	/**
	 * Adds the origin's headers for {@code request}, a plain one, to {@code origin}: the client's without
	 * {@code Host} (the client sets it), {@code Connection} and {@code Grip-*}, grouped by name as Spring's
	 * {@code HttpHeaders} group them on the gateway's path (first spelling kept, values in order), then
	 * {@code X-Forwarded-*} and Gripway's own.
	 * @param host the request's host as its URI has it (see {@link RequestUri})
	 * @param port the request URI's port, {@code -1} for the scheme's default
	 */
	void copy(HttpServerRequest request, String host, int port, HttpHeaders origin) {
		HttpHeaders client = request.requestHeaders();
		List<String> copied = new ArrayList<>(client.size());
		for (Map.Entry<String, String> header : client) {
			String name = header.getKey();
			if (name.equalsIgnoreCase("host") || name.equalsIgnoreCase("connection") || GripHeaders.isGripHeader(name)
					|| containsIgnoringCase(copied, name)) {
				continue;
			}
			copied.add(name);
			origin.add(name, client.getAll(name));
		}
		addForwarded(origin, request, host, port);
		Supplier<String> signature = this.signature;
		if (signature != null) {
			origin.set(GRIP_SIG, signature.get());
		}
		origin.set(GRIP_FEATURE, FEATURES);
	}

	/** As {@code XForwardedHeadersFilter} with its defaults, for a request that brought no forwarded headers. */
	private void addForwarded(HttpHeaders headers, HttpServerRequest request, String host, int port) {
		TrustedProxies trusted = this.trustedProxies;
		if (trusted == null) {
			return;
		}
		InetSocketAddress remote = request.remoteAddress();
		if (remote != null && !trusted.isTrusted(remote.getHostString())) {
			return;
		}
		if (remote != null && remote.getAddress() != null) {
			headers.add(X_FORWARDED_FOR, remote.getHostString());
		}
		String scheme = request.scheme();
		headers.add(X_FORWARDED_PROTO, scheme);
		boolean https = XForwardedHeadersFilter.HTTPS_SCHEME.equals(scheme);
		headers.add(X_FORWARDED_PORT, String.valueOf((port >= 0) ? port
				: (https ? XForwardedHeadersFilter.HTTPS_PORT : XForwardedHeadersFilter.HTTP_PORT)));
		boolean defaultPort = port < 0 || (port == XForwardedHeadersFilter.HTTP_PORT
				&& XForwardedHeadersFilter.HTTP_SCHEME.equals(scheme))
				|| (port == XForwardedHeadersFilter.HTTPS_PORT && https);
		headers.add(X_FORWARDED_HOST, defaultPort ? host : host + ":" + port);
	}

	private static boolean isPersistenceOption(String value) {
		for (String token : value.split(",")) {
			String option = token.trim();
			if (!option.equalsIgnoreCase("keep-alive") && !option.equalsIgnoreCase("close")) {
				return false;
			}
		}
		return true;
	}

	/** {@code names} as a set that finds a name in any case, without a lower-case copy of it. */
	static Set<String> ignoringCase(Set<String> names) {
		Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		set.addAll(names);
		return Collections.unmodifiableSet(set);
	}

	static boolean containsIgnoringCase(List<String> names, String name) {
		for (String each : names) {
			if (each.equalsIgnoreCase(name)) {
				return true;
			}
		}
		return false;
	}

}
