package io.gripway.crossorigin;

import java.util.List;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.jspecify.annotations.Nullable;

/**
 * The request a JSON-P call stands for: a {@code GET} whose query names a callback and may override the method,
 * headers and body.
 *
 * @param callback the function the response calls
 * @param method the method to send the origin
 * @param headers headers to set on the request to the origin, replacing the client's of the same name
 * @param body the request body, or {@code null} to send none
 * @param rawQuery the query without the JSON-P parameters, byte for byte as the client sent the rest, or {@code null}
 * when nothing is left
 */
public record JsonpRequest(String callback, String method, List<HeaderField> headers, @Nullable Content body,
		@Nullable String rawQuery) {

	public JsonpRequest {
		headers = List.copyOf(headers);
	}

}
