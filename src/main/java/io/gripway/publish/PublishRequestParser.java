package io.gripway.publish;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses a publish request body ({@code {"items": [...]}}) into items, as Pushpin's {@code publishitem.cpp} and
 * {@code publishformat.cpp} do. Pure: no I/O, no clock, no Spring, Reactor or Netty.
 *
 * <p>
 * Validation is all-or-nothing: the first bad item rejects the whole request. An {@link InvalidPublishException}
 * carries the exact text the publisher reads after {@code 400 }: Pushpin's top-level messages verbatim, and item errors
 * in Pushpin's phrasing ({@code "<where> does not contain '<field>'"}, {@code "<where> contains '<field>' with wrong
 * type"}) where {@code <where>} names the item by its 1-based position and the format
 * ({@code 'http-stream' of item 2}).
 *
 * <p>
 * Lenient where clients differ, strict where the value reaches the wire: a JSON {@code null} counts as an absent
 * optional field; integers may be numeric strings (js-grip types {@code code} as a string); header names, header values
 * and reasons that could split an HTTP message, and WebSocket control payloads over the frame limits, are rejected here
 * rather than failing later at write time for every subscriber.
 */
public final class PublishRequestParser {

	// Pushpin's JSON parser rejects "{...} junk"; Jackson accepts it unless told not to.
	private static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private static final String HTTP_RESPONSE = "http-response";

	private static final String HTTP_STREAM = "http-stream";

	private static final String WS_MESSAGE = "ws-message";

	private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,10}");

	// RFC 9110 token: what a header name may be.
	private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

	// RFC 6455 §5.5: control frame payloads are at most 125 bytes; a close frame spends 2 of them on the code.
	private static final int MAX_CONTROL_PAYLOAD = 125;

	private static final int MAX_CLOSE_REASON = MAX_CONTROL_PAYLOAD - 2;

	private PublishRequestParser() {
	}

	/**
	 * Parses a whole publish request body.
	 * @param body the request body, parsed as JSON whatever its content type (as Pushpin does)
	 * @return the items in request order, possibly none
	 * @throws InvalidPublishException if the body or any item is invalid; nothing should then be published
	 */
	public static List<PublishItem> parse(byte[] body) {
		JsonNode root;
		try {
			root = MAPPER.readTree(body);
		}
		catch (JacksonException ex) {
			throw new InvalidPublishException("Body is not valid JSON.");
		}
		// An empty body reads as a missing node, not an error.
		if (root == null || root.isMissingNode()) {
			throw new InvalidPublishException("Body is not valid JSON.");
		}
		if (!root.isObject()) {
			throw new InvalidPublishException("Invalid format.");
		}
		JsonNode items = root.get("items");
		if (items == null) {
			throw new InvalidPublishException("Invalid format: object does not contain 'items'");
		}
		if (!items.isArray()) {
			throw new InvalidPublishException("Invalid format: object contains 'items' with wrong type");
		}
		List<PublishItem> result = new ArrayList<>(items.size());
		for (int i = 0; i < items.size(); i++) {
			result.add(item(items.get(i), "item " + (i + 1)));
		}
		return List.copyOf(result);
	}

	private static PublishItem item(JsonNode node, String where) {
		if (!node.isObject()) {
			throw invalid(where + " is not an object");
		}
		Source item = new Source(node, where);
		String channel = item.requiredString("channel");
		if (channel.isEmpty()) {
			throw item.invalidValue("channel", "must not be empty");
		}
		String id = item.optionalString("id");
		String prevId = item.optionalString("prev-id");
		Map<String, String> meta = meta(item);
		boolean noSeq = item.optionalBoolean("no-seq");
		// Validated as Pushpin does, then dropped: Pushpin uses it only for stats.
		item.optionalInt("size", 0, Integer.MAX_VALUE);

		// Legacy form: without "formats", the format keys sit on the item itself.
		Source formats = item;
		if (item.get("formats") != null) {
			formats = item.object("formats", "'formats' of " + where);
		}
		Source response = formats.format(HTTP_RESPONSE, where);
		Source stream = formats.format(HTTP_STREAM, where);
		Source ws = formats.format(WS_MESSAGE, where);
		if (response == null && stream == null && ws == null) {
			throw invalid("no formats specified in " + where);
		}
		return new PublishItem(channel, id, prevId, meta, (response != null) ? httpResponse(response) : null,
				(stream != null) ? httpStream(stream) : null, (ws != null) ? wsMessage(ws) : null, noSeq);
	}

	private static Map<String, String> meta(Source item) {
		if (item.get("meta") == null) {
			return Map.of();
		}
		Source meta = item.object("meta", "'meta' of " + item.where());
		Map<String, String> result = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> entry : meta.node().properties()) {
			result.put(entry.getKey(), meta.requiredString(entry.getKey()));
		}
		return result;
	}

	private static HttpResponseFormat httpResponse(Source format) {
		Action action = format.action();
		if (action != Action.SEND) {
			// hint carries no body; close and refresh mean nothing to a long-poll and are ignored, as in Pushpin.
			return new HttpResponseFormat(action, 200, null, List.of(), Content.EMPTY, null);
		}
		Integer code = format.optionalInt("code", 0, 999);
		String reason = format.optionalString("reason");
		if (reason != null) {
			format.requireNoLineBreak("reason", reason);
		}
		List<HeaderField> headers = headers(format);
		List<String> contentFilters = format.contentFilters();
		Content body = format.content("body", "body-bin");
		if (body == null) {
			if (format.get("body-patch") != null) {
				throw invalid(format.where() + " contains 'body-patch': body-patch is not supported, send 'body' or "
						+ "'body-bin'");
			}
			throw invalid(format.where() + " does not contain 'body', 'body-bin', or 'body-patch'");
		}
		return new HttpResponseFormat(action, (code != null) ? code : 200,
				(reason == null || reason.isEmpty()) ? null : reason, headers, body, contentFilters);
	}

	/** {@code headers} as an object or as a list of {@code [name, value]} pairs; Grip-* names are dropped. */
	private static List<HeaderField> headers(Source format) {
		JsonNode headers = format.get("headers");
		List<HeaderField> result = new ArrayList<>();
		if (headers == null) {
			return result;
		}
		if (headers.isObject()) {
			for (Map.Entry<String, JsonNode> entry : headers.properties()) {
				if (!entry.getValue().isString()) {
					throw format.invalidValue("headers", "the value of '" + entry.getKey() + "' is not a string");
				}
				addHeader(result, format, entry.getKey(), entry.getValue().stringValue());
			}
		}
		else if (headers.isArray()) {
			for (int i = 0; i < headers.size(); i++) {
				JsonNode pair = headers.get(i);
				if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isString() || !pair.get(1).isString()) {
					throw format.invalidValue("headers",
							"entry " + (i + 1) + " is not a [name, value] pair of strings");
				}
				addHeader(result, format, pair.get(0).stringValue(), pair.get(1).stringValue());
			}
		}
		else {
			throw format.wrongType("headers");
		}
		return result;
	}

	private static void addHeader(List<HeaderField> headers, Source format, String name, String value) {
		if (!TOKEN.matcher(name).matches()) {
			throw format.invalidValue("headers", "'" + name + "' is not a valid header name");
		}
		format.requireNoLineBreak("headers", value);
		// GRIP instructions are for the proxy, never for the held client.
		if (!name.regionMatches(true, 0, "Grip-", 0, 5)) {
			headers.add(new HeaderField(name, value));
		}
	}

	private static HttpStreamFormat httpStream(Source format) {
		Action action = format.action();
		if (action != Action.SEND) {
			// js-grip's close sends "content": ""; whatever is there, only send delivers content.
			return new HttpStreamFormat(action, Content.EMPTY, null);
		}
		List<String> contentFilters = format.contentFilters();
		Content content = format.content("content", "content-bin");
		if (content == null) {
			throw invalid(format.where() + " does not contain 'content' or 'content-bin'");
		}
		return new HttpStreamFormat(action, content, contentFilters);
	}

	private static WsMessageFormat wsMessage(Source format) {
		Action action = format.action();
		if (action == Action.CLOSE) {
			Integer code = format.optionalInt("code", 0, 0xFFFF);
			String reason = format.optionalString("reason");
			if (reason != null && Content.utf8(reason).length() > MAX_CLOSE_REASON) {
				throw format.invalidValue("reason", "longer than " + MAX_CLOSE_REASON + " bytes of UTF-8");
			}
			return new WsMessageFormat(action, WsMessageType.TEXT, Content.EMPTY, code, reason, null);
		}
		if (action != Action.SEND) {
			return new WsMessageFormat(action, WsMessageType.TEXT, Content.EMPTY, null, null, null);
		}
		List<String> contentFilters = format.contentFilters();
		Content content = format.content("content", "content-bin");
		WsMessageType type = wsType(format, (content != null && format.get("content") == null));
		if (content == null) {
			if (type == WsMessageType.TEXT || type == WsMessageType.BINARY) {
				throw invalid(format.where() + " does not contain 'content' or 'content-bin'");
			}
			content = Content.EMPTY;
		}
		else if ((type == WsMessageType.PING || type == WsMessageType.PONG)
				&& content.length() > MAX_CONTROL_PAYLOAD) {
			throw format.invalidValue("content", "a ping or pong carries at most " + MAX_CONTROL_PAYLOAD + " bytes");
		}
		return new WsMessageFormat(action, type, content, null, null, contentFilters);
	}

	private static WsMessageType wsType(Source format, boolean binaryContent) {
		WsMessageType type = format.keyword("type", WsMessageType.class,
				(value) -> format.invalidValue("type", "must be text, binary, ping or pong"));
		if (type == null) {
			return binaryContent ? WsMessageType.BINARY : WsMessageType.TEXT;
		}
		return type;
	}

	private static InvalidPublishException invalid(String itemError) {
		return new InvalidPublishException("Invalid format: " + itemError);
	}

	/**
	 * A JSON object being read, and how error messages name it ({@code item 2}, {@code 'http-stream' of item 2}).
	 */
	private record Source(JsonNode node, String where) {

		/** The value, or {@code null} when absent or JSON {@code null}. */
		@Nullable JsonNode get(String key) {
			JsonNode value = this.node.get(key);
			return (value == null || value.isNull()) ? null : value;
		}

		String requiredString(String key) {
			String value = optionalString(key);
			if (value == null) {
				throw invalid(this.where + " does not contain '" + key + "'");
			}
			return value;
		}

		@Nullable String optionalString(String key) {
			return optional(key, JsonNode::isString, JsonNode::stringValue);
		}

		boolean optionalBoolean(String key) {
			return Boolean.TRUE.equals(optional(key, JsonNode::isBoolean, JsonNode::booleanValue));
		}

		/** The value as {@code read} gives it, {@code null} when absent, a wrong-type error when not {@code is}. */
		private <T> @Nullable T optional(String key, Predicate<JsonNode> is, Function<JsonNode, T> read) {
			JsonNode value = get(key);
			if (value == null) {
				return null;
			}
			if (!is.test(value)) {
				throw wrongType(key);
			}
			return read.apply(value);
		}

		/** An integer in {@code [min, max]}, given as a JSON integer or as a string of digits. */
		@Nullable Integer optionalInt(String key, int min, int max) {
			JsonNode value = get(key);
			if (value == null) {
				return null;
			}
			long number;
			if (value.isNumber() && value.canConvertToExactIntegral()) {
				number = value.canConvertToInt() ? value.intValue() : Long.MAX_VALUE;
			}
			else if (value.isString() && INTEGER.matcher(value.stringValue().trim()).matches()) {
				number = Long.parseLong(value.stringValue().trim());
			}
			else {
				throw wrongType(key);
			}
			if (number < min || number > max) {
				throw invalidValue(key, "must be " + min + " to " + max);
			}
			return (int) number;
		}

		/** {@code textKey} as UTF-8, else {@code binKey} decoded from base64, else {@code null}. */
		@Nullable Content content(String textKey, String binKey) {
			String text = optionalString(textKey);
			if (text != null) {
				return Content.utf8(text);
			}
			String encoded = optionalString(binKey);
			if (encoded == null) {
				return null;
			}
			try {
				return Content.base64(encoded);
			}
			catch (IllegalArgumentException ex) {
				throw invalidValue(binKey, "not valid base64");
			}
		}

		/**
		 * {@code content-filters}: a list of filter names, or {@code null} when absent. Pushpin reads it for the send
		 * action only, so callers ask only then, and a hint or close with a malformed list is still accepted.
		 */
		@Nullable List<String> contentFilters() {
			JsonNode filters = get("content-filters");
			if (filters == null) {
				return null;
			}
			if (!filters.isArray()) {
				throw wrongType("content-filters");
			}
			List<String> result = new ArrayList<>(filters.size());
			for (int i = 0; i < filters.size(); i++) {
				JsonNode filter = filters.get(i);
				if (!filter.isString()) {
					// Pushpin: "content-filters contains element with wrong type"; here with the item and the position.
					throw invalid(this.where + " contains 'content-filters' with wrong type: element " + (i + 1)
							+ " is not a string");
				}
				result.add(filter.stringValue());
			}
			return result;
		}

		Action action() {
			// Pushpin answers "Invalid format: " with nothing after it; say what was wrong.
			Action action = keyword("action", Action.class,
					(value) -> invalid("unknown action '" + value + "' in " + this.where));
			return (action != null) ? action : Action.SEND;
		}

		/**
		 * The constant of {@code type} whose name in lower case is the string at {@code key} (GRIP's words are the
		 * enum names), or {@code null} when absent.
		 */
		<E extends Enum<E>> @Nullable E keyword(String key, Class<E> type,
				Function<String, InvalidPublishException> unknown) {
			String value = optionalString(key);
			if (value == null) {
				return null;
			}
			for (E constant : type.getEnumConstants()) {
				if (constant.name().toLowerCase(Locale.ROOT).equals(value)) {
					return constant;
				}
			}
			throw unknown.apply(value);
		}

		Source object(String key, String childWhere) {
			JsonNode value = get(key);
			if (value == null || !value.isObject()) {
				throw wrongType(key);
			}
			return new Source(value, childWhere);
		}

		/** The format object named {@code name}, or {@code null} when the item has none. */
		@Nullable Source format(String name, String itemWhere) {
			return (get(name) != null) ? object(name, "'" + name + "' of " + itemWhere) : null;
		}

		void requireNoLineBreak(String key, String value) {
			if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
				throw invalidValue(key, "contains a line break or NUL");
			}
		}

		InvalidPublishException wrongType(String key) {
			return invalid(this.where + " contains '" + key + "' with wrong type");
		}

		InvalidPublishException invalidValue(String key, String rule) {
			return invalid(this.where + " contains '" + key + "' with invalid value: " + rule);
		}

	}

}
