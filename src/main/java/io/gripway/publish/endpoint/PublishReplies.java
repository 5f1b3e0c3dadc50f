package io.gripway.publish.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Pushpin's replies on its control port, byte for byte: a one-line message, as {@code text/plain} or as
 * {@code {"message": ...}} JSON by the request's {@code Accept} (grip-reference §2.1). Shared by the endpoint and the
 * security chain's 401/403, so every answer of the publish port looks alike.
 */
final class PublishReplies {

	static final String TEXT_PLAIN = "text/plain; charset=utf-8";

	static final String APPLICATION_JSON = "application/json";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PublishReplies() {
	}

	/**
	 * Pushpin's negotiation: the first listed type it knows decides, parameters (q included) are ignored.
	 * @return {@code false} for text, {@code true} for JSON, {@code null} when neither is acceptable
	 */
	static @Nullable Boolean acceptsJson(HttpHeaders headers) {
		List<String> accepts = headers.getOrEmpty(HttpHeaders.ACCEPT);
		boolean any = false;
		for (String accept : accepts) {
			for (String range : accept.split(",")) {
				int params = range.indexOf(';');
				String type = ((params >= 0) ? range.substring(0, params) : range).trim().toLowerCase(Locale.ROOT);
				if (type.isEmpty()) {
					continue;
				}
				any = true;
				if (type.equals("text/plain") || type.equals("text/*") || type.equals("*/*") || type.equals("*")) {
					return false;
				}
				if (type.equals("application/json") || type.equals("application/*")) {
					return true;
				}
			}
		}
		return any ? null : false;
	}

	static byte[] body(String message, boolean json) {
		return (json ? "{\"message\": " + JSON.writeValueAsString(message) + "}\n" : message + "\n")
			.getBytes(StandardCharsets.UTF_8);
	}

	static Mono<ServerResponse> reply(int status, String message, boolean json) {
		return reply(ServerResponse.status(status), body(message, json), json);
	}

	/**
	 * Writes {@code body} straight to the response rather than through the codecs: the bytes are final already, and
	 * the codec lookup was a measurable share of a publish's cost.
	 */
	static Mono<ServerResponse> reply(ServerResponse.BodyBuilder builder, byte[] body, boolean json) {
		return builder.header(HttpHeaders.CONTENT_TYPE, json ? APPLICATION_JSON : TEXT_PLAIN)
			.header(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length))
			.build((exchange, context) -> exchange.getResponse()
				.writeWith(Mono.just(exchange.getResponse().bufferFactory().wrap(body))));
	}

	/** The same reply, written straight to a response (outside the router: the security chain). */
	static Mono<Void> write(ServerHttpResponse response, int status, String message, @Nullable Boolean json) {
		boolean asJson = Boolean.TRUE.equals(json);
		byte[] body = body(message, asJson);
		response.setStatusCode(HttpStatusCode.valueOf(status));
		response.getHeaders().set(HttpHeaders.CONTENT_TYPE, asJson ? APPLICATION_JSON : TEXT_PLAIN);
		response.getHeaders().setContentLength(body.length);
		DataBuffer buffer = response.bufferFactory().wrap(body);
		return response.writeWith(Mono.just(buffer));
	}

}
