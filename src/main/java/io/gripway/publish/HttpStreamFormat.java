package io.gripway.publish;

import java.util.List;
import java.util.Objects;

import io.gripway.http.Content;
import org.jspecify.annotations.Nullable;

/**
 * {@code http-stream}: bytes appended verbatim to held streams (no framing is added, SSE events included).
 *
 * @param action send, hint or close
 * @param content {@code content} or decoded {@code content-bin}; empty for close and hint
 * @param contentFilters {@code content-filters}, or {@code null} when not given
 */
public record HttpStreamFormat(Action action, Content content, @Nullable List<String> contentFilters)
		implements Format {

	public HttpStreamFormat {
		Objects.requireNonNull(action, "action");
		Objects.requireNonNull(content, "content");
		contentFilters = (contentFilters != null) ? List.copyOf(contentFilters) : null;
	}

}
