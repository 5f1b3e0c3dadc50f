package io.gripway.instruct;

import java.util.List;
import java.util.Objects;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.jspecify.annotations.Nullable;

/**
 * The response the client gets from the origin's instruction: sent at once for a stream hold, on timeout for a
 * response hold, or as-is when there is no hold. Grip-* and hop-by-hop headers are already removed.
 *
 * @param code status code (after {@code Grip-Status} or the JSON {@code response.code})
 * @param reason reason phrase when the origin named one, else the standard phrase is used
 * @param headers the headers for the client, in order
 * @param body the body; for a header-form stream hold it is empty and the origin's body is streamed instead
 */
public record ResponseTemplate(int code, @Nullable String reason, List<HeaderField> headers, Content body) {

	public ResponseTemplate {
		headers = List.copyOf(headers);
		Objects.requireNonNull(body, "body");
	}

}
