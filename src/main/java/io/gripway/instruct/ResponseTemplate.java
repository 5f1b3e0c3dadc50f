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
 * @param body the body the parser was given (or the JSON {@code response} body): the first bytes of a stream hold,
 * the timeout body of a response hold; a caller that streams the origin body itself passes {@link Content#EMPTY}
 */
public record ResponseTemplate(int code, @Nullable String reason, List<HeaderField> headers, Content body) {

	public ResponseTemplate {
		headers = List.copyOf(headers);
		Objects.requireNonNull(body, "body");
	}

}
