package io.gripway.publish;

import java.util.List;
import java.util.Objects;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.jspecify.annotations.Nullable;

/**
 * {@code http-response}: completes a held long-poll.
 *
 * @param action send or hint ({@code close}/{@code refresh} are accepted and ignored, as in Pushpin)
 * @param code status code, 200 when absent
 * @param reason reason phrase, or {@code null} for the standard one
 * @param headers overlaid on the timeout response's headers (same name replaces); Grip-* already removed
 * @param body {@code body} or decoded {@code body-bin}
 * @param contentFilters {@code content-filters}, or {@code null} when not given
 */
public record HttpResponseFormat(Action action, int code, @Nullable String reason, List<HeaderField> headers,
		Content body, @Nullable List<String> contentFilters) implements Format {

	public HttpResponseFormat {
		Objects.requireNonNull(action, "action");
		headers = List.copyOf(headers);
		Objects.requireNonNull(body, "body");
		contentFilters = (contentFilters != null) ? List.copyOf(contentFilters) : null;
	}

}
