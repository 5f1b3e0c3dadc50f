package io.gripway.crossorigin;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.gripway.http.HeaderField;

/**
 * The {@code Access-Control-*} headers Pushpin's auto cross-origin adds to a response (reference §5.4, Pushpin's
 * {@code cors.cpp}): each one only where the origin did not set it, so an origin that does its own CORS keeps it.
 *
 * <p>
 * Why not Spring's {@code DefaultCorsProcessor}: it is a policy (allowed origins, methods, headers, configured ahead),
 * and Pushpin's is an echo. Spring answers preflights itself, where Pushpin forwards them to the origin; it rejects
 * an {@code Origin} not in its list, where Pushpin echoes any; it refuses {@code allowCredentials} with a wildcard
 * origin, where Pushpin sends {@code Allow-Credentials: true} with the echoed origin (or {@code *} when there is none);
 * it writes nothing for a request without {@code Origin}; its exposed headers are configured, where Pushpin's are read
 * off each response; and it treats the origin's headers as all or nothing, where Pushpin decides per header. Origins
 * written for Pushpin rely on those echoes, so they are kept here.
 */
public final class CorsHeaders {

	public static final String ALLOW_METHODS = "Access-Control-Allow-Methods";

	public static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";

	public static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";

	public static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";

	public static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";

	public static final String MAX_AGE = "Access-Control-Max-Age";

	/** Allowed when a request names no method (it is not a preflight). */
	static final String DEFAULT_METHODS = "OPTIONS, HEAD, GET, POST, PUT, DELETE";

	/** How long a browser may cache a preflight's answer, in seconds. */
	static final String MAX_AGE_SECONDS = "3600";

	/** Response headers a browser's script may read without being told (the CORS "simple" response headers). */
	private static final Set<String> SIMPLE = Set.of("cache-control", "content-language", "content-length",
			"content-type", "expires", "last-modified", "pragma");

	private CorsHeaders() {
	}

	/** {@code response} followed by the CORS headers it lacks, for {@code request}. */
	public static List<HeaderField> apply(CorsRequest request, List<HeaderField> response) {
		List<HeaderField> headers = new ArrayList<>(response.size() + 6);
		headers.addAll(response);
		if (!has(response, ALLOW_METHODS)) {
			headers.add(new HeaderField(ALLOW_METHODS,
					(request.requestMethod() != null) ? request.requestMethod() : DEFAULT_METHODS));
		}
		if (!has(response, ALLOW_HEADERS) && !request.requestHeaders().isEmpty()) {
			headers.add(new HeaderField(ALLOW_HEADERS, String.join(", ", request.requestHeaders())));
		}
		if (!has(response, EXPOSE_HEADERS)) {
			String exposed = exposable(response);
			if (!exposed.isEmpty()) {
				headers.add(new HeaderField(EXPOSE_HEADERS, exposed));
			}
		}
		if (!has(response, ALLOW_CREDENTIALS)) {
			headers.add(new HeaderField(ALLOW_CREDENTIALS, "true"));
		}
		if (!has(response, ALLOW_ORIGIN)) {
			headers.add(new HeaderField(ALLOW_ORIGIN, (request.origin() != null) ? request.origin() : "*"));
		}
		if (!has(response, MAX_AGE)) {
			headers.add(new HeaderField(MAX_AGE, MAX_AGE_SECONDS));
		}
		return headers;
	}

	/** The names of the response's headers a script could not read otherwise: not simple, not CORS, not GRIP. */
	static String exposable(List<HeaderField> response) {
		Set<String> seen = new LinkedHashSet<>();
		List<String> names = new ArrayList<>();
		for (HeaderField header : response) {
			String lower = header.name().toLowerCase(Locale.ROOT);
			if (SIMPLE.contains(lower) || lower.startsWith("access-control-") || lower.startsWith("grip-")) {
				continue;
			}
			if (seen.add(lower)) {
				names.add(header.name());
			}
		}
		return String.join(", ", names);
	}

	private static boolean has(List<HeaderField> headers, String name) {
		for (HeaderField header : headers) {
			if (header.named(name)) {
				return true;
			}
		}
		return false;
	}

}
