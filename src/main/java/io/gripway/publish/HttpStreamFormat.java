package io.gripway.publish;

import java.util.Objects;

import io.gripway.http.Content;

/**
 * {@code http-stream}: bytes appended verbatim to held streams (no framing is added, SSE events included).
 *
 * @param action send, hint or close
 * @param content {@code content} or decoded {@code content-bin}; empty for close and hint
 */
public record HttpStreamFormat(Action action, Content content) implements Format {

	public HttpStreamFormat {
		Objects.requireNonNull(action, "action");
		Objects.requireNonNull(content, "content");
	}

}
