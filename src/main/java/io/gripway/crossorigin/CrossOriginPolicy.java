package io.gripway.crossorigin;

import java.util.List;

import io.gripway.http.HeaderField;
import io.gripway.instruct.ResponseTemplate;
import org.jspecify.annotations.Nullable;

/**
 * What auto cross-origin does to the responses of one request, decided when it arrives and applied to whichever
 * response it gets: passed through, released by a publish, timed out, retried, or the head of a stream. Immutable;
 * keeps nothing of the exchange, so a held response may carry it.
 */
public final class CrossOriginPolicy {

	private static final CrossOriginPolicy NONE = new CrossOriginPolicy(null, null, JsonpMode.EXTENDED);

	private final @Nullable CorsRequest cors;

	private final @Nullable String callback;

	private final JsonpMode mode;

	private CrossOriginPolicy(@Nullable CorsRequest cors, @Nullable String callback, JsonpMode mode) {
		this.cors = cors;
		this.callback = callback;
		this.mode = mode;
	}

	/** Responses as they are: auto cross-origin is off for the route. */
	public static CrossOriginPolicy none() {
		return NONE;
	}

	/** CORS headers added where the origin did not set them. */
	public static CrossOriginPolicy cors(CorsRequest request) {
		return new CrossOriginPolicy(request, null, JsonpMode.EXTENDED);
	}

	/** Responses become scripts calling {@code callback}; no CORS headers, which a script does not need. */
	public static CrossOriginPolicy jsonp(CorsRequest request, String callback, JsonpMode mode) {
		return new CrossOriginPolicy(request, callback, mode);
	}

	public boolean isNone() {
		return this.cors == null;
	}

	public boolean isJsonp() {
		return this.callback != null;
	}

	/** A whole response as the client gets it. */
	public ResponseTemplate respond(ResponseTemplate response) {
		CorsRequest request = this.cors;
		if (request == null) {
			return response;
		}
		if (this.callback != null) {
			return Jsonp.wrap(this.callback, this.mode, response);
		}
		return new ResponseTemplate(response.code(), response.reason(), CorsHeaders.apply(request, response.headers()),
				response.body());
	}

	/**
	 * The headers of a response written as it goes (a stream): CORS headers only, JSON-P or not, as Pushpin sends a
	 * stream's first response.
	 */
	public List<HeaderField> streamHeaders(List<HeaderField> headers) {
		CorsRequest request = this.cors;
		return (request != null) ? CorsHeaders.apply(request, headers) : headers;
	}

	@Override
	public String toString() {
		return isNone() ? "none" : isJsonp() ? "jsonp(" + this.mode + ")" : "cors";
	}

}
