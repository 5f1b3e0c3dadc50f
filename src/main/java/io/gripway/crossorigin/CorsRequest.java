package io.gripway.crossorigin;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What auto cross-origin needs of a request, taken from its headers when it arrives, so a held response can be
 * answered after the exchange is over.
 *
 * @param origin the {@code Origin} header, or {@code null}
 * @param requestMethod {@code Access-Control-Request-Method} of a preflight, or {@code null}
 * @param requestHeaders the header names of every {@code Access-Control-Request-Headers}, split at commas, in order
 */
public record CorsRequest(@Nullable String origin, @Nullable String requestMethod, List<String> requestHeaders) {

	public CorsRequest {
		requestHeaders = List.copyOf(requestHeaders);
	}

	/**
	 * @param origin the first {@code Origin} value
	 * @param requestMethod the first {@code Access-Control-Request-Method} value
	 * @param requestHeaderValues every {@code Access-Control-Request-Headers} value, as received
	 */
	public static CorsRequest of(@Nullable String origin, @Nullable String requestMethod,
			List<String> requestHeaderValues) {
		List<String> names = new ArrayList<>();
		for (String value : requestHeaderValues) {
			for (String name : value.split(",")) {
				String trimmed = name.trim();
				if (!trimmed.isEmpty()) {
					names.add(trimmed);
				}
			}
		}
		return new CorsRequest(blankToNull(origin), blankToNull(requestMethod), names);
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value.trim();
	}

}
