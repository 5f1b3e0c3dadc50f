package io.gripway.passthrough;

import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServerRequest;

/**
 * What the fast path needs of a request's URI, read from Reactor Netty's request without building the
 * {@link java.net.URI} that WebFlux builds for every request ({@code ReactorUriHelper}), for the requests where that
 * URI would say exactly the same: a request target in origin form whose characters {@code java.net.URI} takes
 * verbatim (no fragment, no brackets, no non-ASCII, escapes well formed), and a host that it parses as a server
 * name or an IPv4 address. Any other request takes the gateway's path, which builds the URI, or refuses it.
 *
 * @param host the host, as the URI's {@code getHost()} would give it
 * @param port the URI's port: {@code -1} when it is the scheme's default, which WebFlux leaves out
 * @param target the request target: the URI's raw path and, after a {@code ?}, its raw query
 */
record RequestUri(String host, int port, String target) {

	// what a URI's path and query take as they are: letters, digits, "-_.!~*'()", ";/:@&=+$,", '%' and '?'
	private static final String VERBATIM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			+ "-_.!~*'();/:@&=+$,%?";

	private static final long VERBATIM_LOW = mask(VERBATIM, 0);

	private static final long VERBATIM_HIGH = mask(VERBATIM, 64);

	/**
	 * The URI of {@code request} if the fast path may use it as it came, else {@code null}.
	 */
	static @Nullable RequestUri of(HttpServerRequest request) {
		String target = request.uri();
		String host = request.hostName();
		if (!isVerbatimTarget(target) || !isServerHost(host)) {
			return null;
		}
		String scheme = request.scheme();
		int port = request.hostPort();
		boolean defaultPort = (port == 80 && (scheme.equals("http") || scheme.equals("ws")))
				|| (port == 443 && (scheme.equals("https") || scheme.equals("wss")));
		return new RequestUri(host, defaultPort ? -1 : port, target);
	}

	/** An origin-form target of characters a URI's path and query take as they are, escapes well formed. */
	static boolean isVerbatimTarget(String target) {
		if (target.isEmpty() || target.charAt(0) != '/') {
			return false;
		}
		for (int i = 0; i < target.length(); i++) {
			char c = target.charAt(i);
			if (!isVerbatim(c) || (c == '%' && (i + 2 >= target.length() || !isHex(target.charAt(i + 1))
					|| !isHex(target.charAt(i + 2))))) {
				return false;
			}
		}
		return true;
	}

	/**
	 * A host {@code java.net.URI} parses as a server-based authority's host: an IPv4 address or a host name of
	 * letters, digits and hyphens in dot-separated labels, the last one starting with a letter when there are
	 * several. Others (underscores, IPv6 literals, a trailing dot) are left to the gateway's path.
	 */
	static boolean isServerHost(String host) {
		if (host.isEmpty()) {
			return false;
		}
		int labels = 0;
		int labelStart = 0;
		int lastLabelStart = 0;
		boolean digitsOnly = true;
		for (int i = 0; i <= host.length(); i++) {
			char c = (i < host.length()) ? host.charAt(i) : '.';
			if (c == '.') {
				if (i == labelStart || host.charAt(i - 1) == '-' || i == host.length() - 1) {
					return false;
				}
				labels++;
				lastLabelStart = labelStart;
				labelStart = i + 1;
			}
			else if (isLetter(c)) {
				digitsOnly = false;
			}
			else if (c == '-') {
				digitsOnly = false;
				if (i == labelStart) {
					return false;
				}
			}
			else if (c < '0' || c > '9') {
				return false;
			}
		}
		if (digitsOnly) {
			return labels == 4 && isIpv4(host);
		}
		return labels == 1 || isLetter(host.charAt(lastLabelStart));
	}

	/** Four dot-separated parts of one to three digits (known here) each at most 255. */
	private static boolean isIpv4(String host) {
		int value = 0;
		int digits = 0;
		for (int i = 0; i <= host.length(); i++) {
			char c = (i < host.length()) ? host.charAt(i) : '.';
			if (c == '.') {
				if (digits > 3 || value > 255) {
					return false;
				}
				value = 0;
				digits = 0;
			}
			else {
				value = value * 10 + (c - '0');
				digits++;
			}
		}
		return true;
	}

	private static boolean isVerbatim(char c) {
		if (c < 64) {
			return (VERBATIM_LOW & (1L << c)) != 0;
		}
		return c < 128 && (VERBATIM_HIGH & (1L << (c - 64))) != 0;
	}

	private static boolean isHex(char c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}

	private static boolean isLetter(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	}

	/** The characters of {@code chars} from {@code from} to {@code from + 63}, as bits. */
	private static long mask(String chars, int from) {
		long mask = 0;
		for (int i = 0; i < chars.length(); i++) {
			int bit = chars.charAt(i) - from;
			if (bit >= 0 && bit < 64) {
				mask |= 1L << bit;
			}
		}
		return mask;
	}

}
