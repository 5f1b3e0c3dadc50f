package io.gripway.crossorigin;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.gripway.instruct.ResponseTemplate;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON-P as Pushpin does it on an auto cross-origin route (reference §5.4, Pushpin's {@code requestsession.cpp}
 * {@code tryApplyJsonp} and {@code httpsession.cpp} {@code respond}): a {@code GET} with a callback parameter stands
 * for the request its {@code _method}, {@code _headers} and {@code _body} parameters describe, and its response is a
 * script calling the callback with the origin's answer.
 *
 * <p>
 * Two deviations, both on the safe side: a callback must look like a JavaScript name or property path (letters,
 * digits, {@code _ $ . [ ]}), since it is written into a script served from this host (Pushpin takes any non-empty
 * value); and the wrapped response is always whole (Pushpin streams a passed-through body into the script as it
 * arrives; Gripway keeps it, up to a limit, which a script's consumer waits for anyway).
 */
public final class Jsonp {

	public static final String SCRIPT_CONTENT_TYPE = "application/javascript";

	private static final String METHOD_PARAM = "_method";

	private static final String HEADERS_PARAM = "_headers";

	private static final String BODY_PARAM = "_body";

	private static final Pattern CALLBACK = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.\\[\\]]*");

	private static final Pattern METHOD = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

	/** Headers of the origin's answer that the script's own framing replaces. */
	private static final Set<String> REFRAMED = Set.of("content-type", "content-length", "transfer-encoding");

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private Jsonp() {
	}

	/**
	 * The request a JSON-P call stands for, or {@code null} when the request is not one (not a {@code GET}, or no
	 * callback).
	 * @param method the client's method
	 * @param rawQuery the client's query, still percent-encoded, or {@code null}
	 * @throws InvalidJsonpException for a parameter that cannot be used; the client gets {@code 400} with its message
	 */
	public static @Nullable JsonpRequest parse(String method, @Nullable String rawQuery, JsonpSettings settings)
			throws InvalidJsonpException {
		if (!"GET".equals(method) || rawQuery == null) {
			return null;
		}
		List<String[]> items = items(rawQuery);
		String callbackParam = settings.callbackParam();
		String bodyParam = settings.bodyParam();
		boolean byDefault = !settings.defaultCallback().isEmpty() && !bodyParam.isEmpty()
				&& value(items, bodyParam) != null;
		String callbackValue = value(items, callbackParam);
		if (callbackValue == null && !byDefault) {
			return null;
		}
		String callback = (callbackValue != null) ? decode(callbackValue) : settings.defaultCallback();
		if (callback == null || !CALLBACK.matcher(callback).matches()) {
			throw new InvalidJsonpException("callback");
		}
		String requestMethod = settings.defaultMethod();
		String methodValue = value(items, METHOD_PARAM);
		if (methodValue != null) {
			requestMethod = decode(methodValue);
			if (requestMethod == null || !METHOD.matcher(requestMethod).matches()) {
				throw new InvalidJsonpException(METHOD_PARAM);
			}
		}
		List<HeaderField> headers = new ArrayList<>();
		String headersValue = value(items, HEADERS_PARAM);
		if (headersValue != null) {
			headers.addAll(headers(decode(headersValue)));
		}
		Content body = null;
		String bodyName = bodyParam.isEmpty() ? BODY_PARAM : bodyParam;
		String bodyValue = value(items, bodyName);
		if (bodyValue != null) {
			String decoded = decode(bodyValue);
			if (decoded == null) {
				throw new InvalidJsonpException(bodyName);
			}
			body = Content.utf8(decoded);
			if (!bodyParam.isEmpty()) {
				headers.removeIf(header -> header.named("Content-Type"));
				headers.add(new HeaderField("Content-Type", "application/json"));
			}
		}
		Set<String> consumed = Set.of(callbackParam, METHOD_PARAM, HEADERS_PARAM, bodyName);
		return new JsonpRequest(callback, requestMethod, headers, body, remaining(rawQuery, consumed));
	}

	/**
	 * The script a response becomes: always {@code 200 OK}, {@code application/javascript}, calling
	 * {@code callback} with the response (extended) or its body less one trailing newline (basic). The origin's other
	 * headers are kept, as Pushpin keeps them on held responses.
	 */
	public static ResponseTemplate wrap(String callback, JsonpMode mode, ResponseTemplate response) {
		String argument;
		if (mode == JsonpMode.EXTENDED) {
			ObjectNode result = MAPPER.createObjectNode();
			result.put("code", response.code());
			result.put("reason", (response.reason() != null) ? response.reason() : HttpResponseStatus.valueOf(response.code()).reasonPhrase());
			ObjectNode headers = result.putObject("headers");
			mergedHeaders(response.headers()).forEach(headers::put);
			result.put("body", response.body().toUtf8());
			argument = MAPPER.writeValueAsString(result);
		}
		else {
			argument = trimNewline(response.body().toUtf8());
		}
		List<HeaderField> headers = new ArrayList<>();
		for (HeaderField header : response.headers()) {
			if (!REFRAMED.contains(header.name().toLowerCase(Locale.ROOT))) {
				headers.add(header);
			}
		}
		headers.add(new HeaderField("Content-Type", SCRIPT_CONTENT_TYPE));
		// "/**/" keeps the first bytes of the script out of the caller's control (the "Rosetta Flash" attack)
		return new ResponseTemplate(200, "OK", headers, Content.utf8("/**/" + callback + "(" + argument + ");\n"));
	}

	/** One entry per header name, in first-seen order, repeated values joined with ", " (Pushpin's held responses). */
	private static Map<String, String> mergedHeaders(List<HeaderField> headers) {
		Map<String, String> names = new LinkedHashMap<>();
		Map<String, String> merged = new LinkedHashMap<>();
		for (HeaderField header : headers) {
			String lower = header.name().toLowerCase(Locale.ROOT);
			if (lower.equals("content-length") || lower.equals("transfer-encoding")) {
				continue;
			}
			String name = names.computeIfAbsent(lower, key -> header.name());
			merged.merge(name, header.value(), (first, next) -> first + ", " + next);
		}
		return merged;
	}

	private static String trimNewline(String body) {
		if (body.endsWith("\r\n")) {
			return body.substring(0, body.length() - 2);
		}
		return body.endsWith("\n") ? body.substring(0, body.length() - 1) : body;
	}

	private static List<HeaderField> headers(@Nullable String json) throws InvalidJsonpException {
		if (json == null) {
			throw new InvalidJsonpException(HEADERS_PARAM);
		}
		JsonNode root;
		try {
			root = MAPPER.readTree(json);
		}
		catch (JacksonException ex) {
			throw new InvalidJsonpException(HEADERS_PARAM);
		}
		if (root == null || !root.isObject()) {
			throw new InvalidJsonpException(HEADERS_PARAM);
		}
		List<HeaderField> headers = new ArrayList<>();
		for (Map.Entry<String, JsonNode> entry : root.properties()) {
			if (!entry.getValue().isString()) {
				throw new InvalidJsonpException(HEADERS_PARAM);
			}
			String name = entry.getKey();
			// set by the proxy for every JSON-P request, as in Pushpin
			if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Accept")) {
				headers.add(new HeaderField(name, entry.getValue().asString()));
			}
		}
		return headers;
	}

	/** The query's items as raw {name, value} pairs; a name without {@code =} has the value "". */
	private static List<String[]> items(String rawQuery) {
		List<String[]> items = new ArrayList<>();
		for (String item : rawQuery.split("&", -1)) {
			if (item.isEmpty()) {
				continue;
			}
			int equals = item.indexOf('=');
			items.add((equals < 0) ? new String[] { item, "" }
					: new String[] { item.substring(0, equals), item.substring(equals + 1) });
		}
		return items;
	}

	/** The raw value of the first item named {@code name}, or {@code null}. */
	private static @Nullable String value(List<String[]> items, String name) {
		for (String[] item : items) {
			if (name.equals(decode(item[0]))) {
				return item[1];
			}
		}
		return null;
	}

	/** The query less every item whose name is in {@code consumed}; the rest byte for byte; {@code null} if empty. */
	private static @Nullable String remaining(String rawQuery, Set<String> consumed) {
		List<String> kept = new ArrayList<>();
		for (String item : rawQuery.split("&", -1)) {
			int equals = item.indexOf('=');
			String name = decode((equals < 0) ? item : item.substring(0, equals));
			if (name == null || !consumed.contains(name)) {
				kept.add(item);
			}
		}
		String query = String.join("&", kept);
		return query.isEmpty() ? null : query;
	}

	/**
	 * Percent-decodes as Pushpin does: {@code %XX} only ({@code +} stays a plus, as for {@code encodeURIComponent}
	 * callers), then UTF-8; {@code null} for a broken escape.
	 */
	static @Nullable String decode(String raw) {
		if (raw.indexOf('%') < 0) {
			return raw;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
		for (int i = 0; i < raw.length(); i++) {
			char c = raw.charAt(i);
			if (c != '%') {
				byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				bytes.write(encoded, 0, encoded.length);
				continue;
			}
			if (i + 2 >= raw.length()) {
				return null;
			}
			int hi = Character.digit(raw.charAt(i + 1), 16);
			int lo = Character.digit(raw.charAt(i + 2), 16);
			if (hi < 0 || lo < 0) {
				return null;
			}
			bytes.write((hi << 4) + lo);
			i += 2;
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}

}
