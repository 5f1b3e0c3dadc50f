package io.gripway.publish;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses a publish request body, {@code {"items":[...]}}, as Pushpin's publish API reads it (reference §2.2, §2.3).
 * All or nothing: one bad item rejects the request, so a publisher never half-publishes a batch.
 *
 * <p>
 * Error messages are Pushpin's where a client could depend on them ({@code Body is not valid JSON.},
 * {@code Invalid format: ...}), and name the item and the field where Pushpin says less.
 */
public final class PublishRequestParser {

	private static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private static final String HTTP_RESPONSE = "http-response";

	private static final String HTTP_STREAM = "http-stream";

	private static final String WS_MESSAGE = "ws-message";

	private PublishRequestParser() {
	}

	public static List<PublishItem> parse(byte[] body) {
		JsonNode root;
		try {
			root = MAPPER.readTree(body);
		}
		catch (JacksonException ex) {
			throw new InvalidPublishException("Body is not valid JSON.");
		}
		if (root == null || !root.isObject()) {
			throw new InvalidPublishException("Invalid format.");
		}
		JsonNode items = root.get("items");
		if (items == null) {
			throw new InvalidPublishException("Invalid format: object does not contain 'items'");
		}
		if (!items.isArray()) {
			throw new InvalidPublishException("Invalid format: object contains 'items' with wrong type");
		}
		List<PublishItem> parsed = new ArrayList<>(items.size());
		for (int i = 0; i < items.size(); i++) {
			try {
				parsed.add(item(items.get(i)));
			}
			catch (ItemException ex) {
				throw new InvalidPublishException("Invalid format: item " + i + ": " + ex.getMessage());
			}
		}
		return parsed;
	}

	private static PublishItem item(JsonNode item) {
		if (!item.isObject()) {
			throw new ItemException("item is not an object");
		}
		String channel = string(item, "channel");
		if (channel == null || channel.isEmpty()) {
			throw new ItemException("'channel' is required and must be a non-empty string");
		}
		// formats under "formats", or (the older form) directly on the item
		JsonNode formats = item.get("formats");
		if (formats != null && !formats.isObject()) {
			throw new ItemException("'formats' must be an object");
		}
		JsonNode source = (formats != null) ? formats : item;
		HttpResponseFormat httpResponse = has(source, HTTP_RESPONSE) ? httpResponse(source.get(HTTP_RESPONSE)) : null;
		HttpStreamFormat httpStream = has(source, HTTP_STREAM) ? httpStream(source.get(HTTP_STREAM)) : null;
		WsMessageFormat wsMessage = has(source, WS_MESSAGE) ? wsMessage(source.get(WS_MESSAGE)) : null;
		if (httpResponse == null && httpStream == null && wsMessage == null) {
			throw new ItemException("no formats specified");
		}
		JsonNode size = item.get("size");
		if (size != null && !size.isNull() && (!size.canConvertToInt() || !size.isIntegralNumber() || size.asInt() < 0)) {
			throw new ItemException("'size' must be a non-negative integer");
		}
		JsonNode noSeq = item.get("no-seq");
		if (noSeq != null && !noSeq.isNull() && !noSeq.isBoolean()) {
			throw new ItemException("'no-seq' must be a boolean");
		}
		return new PublishItem(channel, string(item, "id"), string(item, "prev-id"), stringMap(item, "meta"),
				httpResponse, httpStream, wsMessage, noSeq != null && noSeq.asBoolean());
	}

	private static HttpResponseFormat httpResponse(JsonNode format) {
		requireObject(format, HTTP_RESPONSE);
		Action action = action(format, HTTP_RESPONSE);
		int code = 200;
		JsonNode codeNode = format.get("code");
		if (codeNode != null && !codeNode.isNull()) {
			code = code(codeNode);
		}
		String reason = string(format, "reason", HTTP_RESPONSE);
		List<HeaderField> headers = headers(format.get("headers"));
		if (format.has("body-patch")) {
			throw new ItemException("'" + HTTP_RESPONSE + "' body-patch is not supported");
		}
		Content body = content(format, "body", "body-bin", HTTP_RESPONSE);
		if (body == null) {
			if (action == Action.SEND) {
				throw new ItemException("'" + HTTP_RESPONSE + "' does not contain 'body', 'body-bin', or 'body-patch'");
			}
			body = Content.EMPTY;
		}
		return new HttpResponseFormat(action, code, reason, headers, body);
	}

	private static HttpStreamFormat httpStream(JsonNode format) {
		requireObject(format, HTTP_STREAM);
		Action action = action(format, HTTP_STREAM);
		Content content = content(format, "content", "content-bin", HTTP_STREAM);
		if (content == null) {
			if (action == Action.SEND) {
				throw new ItemException("'" + HTTP_STREAM + "' does not contain 'content' or 'content-bin'");
			}
			content = Content.EMPTY;
		}
		return new HttpStreamFormat(action, content);
	}

	private static WsMessageFormat wsMessage(JsonNode format) {
		requireObject(format, WS_MESSAGE);
		Action action = action(format, WS_MESSAGE);
		Content text = content(format, "content", null, WS_MESSAGE);
		Content binary = content(format, "content-bin", null, WS_MESSAGE);
		String typeName = string(format, "type", WS_MESSAGE);
		WsMessageType type;
		if (typeName != null) {
			type = wsType(typeName);
		}
		else {
			type = (binary != null) ? WsMessageType.BINARY : WsMessageType.TEXT;
		}
		Content content = (binary != null) ? binary : text;
		if (content == null) {
			boolean needsContent = action == Action.SEND && (type == WsMessageType.TEXT || type == WsMessageType.BINARY);
			if (needsContent) {
				throw new ItemException("'" + WS_MESSAGE + "' does not contain 'content' or 'content-bin'");
			}
			content = Content.EMPTY;
		}
		Integer closeCode = null;
		JsonNode codeNode = format.get("code");
		if (codeNode != null && !codeNode.isNull()) {
			if (!codeNode.isIntegralNumber() || !codeNode.canConvertToInt() || codeNode.asInt() < 0) {
				throw new ItemException("'" + WS_MESSAGE + "' 'code' must be a non-negative integer");
			}
			closeCode = codeNode.asInt();
		}
		return new WsMessageFormat(action, type, content, closeCode, string(format, "reason", WS_MESSAGE));
	}

	private static WsMessageType wsType(String name) {
		switch (name) {
			case "text":
				return WsMessageType.TEXT;
			case "binary":
				return WsMessageType.BINARY;
			case "ping":
				return WsMessageType.PING;
			case "pong":
				return WsMessageType.PONG;
			default:
				throw new ItemException("'" + WS_MESSAGE + "' has unknown type '" + name + "'");
		}
	}

	private static Action action(JsonNode format, String formatName) {
		String name = string(format, "action", formatName);
		if (name == null) {
			return Action.SEND;
		}
		switch (name) {
			case "send":
				return Action.SEND;
			case "hint":
				return Action.HINT;
			case "close":
				return Action.CLOSE;
			case "refresh":
				return Action.REFRESH;
			default:
				throw new ItemException("'" + formatName + "' has unknown action '" + name + "'");
		}
	}

	// js-grip types the code as a string; Pushpin accepts anything that converts to an integer
	private static int code(JsonNode node) {
		int code;
		if (node.isIntegralNumber() && node.canConvertToInt()) {
			code = node.asInt();
		}
		else if (node.isString() && node.asString().matches("\\d{1,3}")) {
			code = Integer.parseInt(node.asString());
		}
		else {
			throw new ItemException("'" + HTTP_RESPONSE + "' 'code' must be an integer from 0 to 999");
		}
		if (code < 0 || code > 999) {
			throw new ItemException("'" + HTTP_RESPONSE + "' 'code' must be an integer from 0 to 999");
		}
		return code;
	}

	/** Headers as an object or as a list of [name, value] pairs; Grip-* headers never reach a client. */
	private static List<HeaderField> headers(@Nullable JsonNode node) {
		List<HeaderField> headers = new ArrayList<>();
		if (node == null || node.isNull()) {
			return headers;
		}
		if (node.isObject()) {
			for (Map.Entry<String, JsonNode> entry : node.properties()) {
				if (!entry.getValue().isString()) {
					throw new ItemException("'" + HTTP_RESPONSE + "' header '" + entry.getKey() + "' must be a string");
				}
				addHeader(headers, entry.getKey(), entry.getValue().asString());
			}
			return headers;
		}
		if (node.isArray()) {
			for (JsonNode pair : node) {
				if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isString() || !pair.get(1).isString()) {
					throw new ItemException("'" + HTTP_RESPONSE + "' 'headers' pairs must be [name, value] strings");
				}
				addHeader(headers, pair.get(0).asString(), pair.get(1).asString());
			}
			return headers;
		}
		throw new ItemException("'" + HTTP_RESPONSE + "' 'headers' must be an object or a list of pairs");
	}

	private static void addHeader(List<HeaderField> headers, String name, String value) {
		if (!name.regionMatches(true, 0, "Grip-", 0, 5)) {
			headers.add(new HeaderField(name, value));
		}
	}

	/** The text field, or the base64 field (which wins when both are given, as in Pushpin); null if neither. */
	private static @Nullable Content content(JsonNode format, String textField, @Nullable String binaryField,
			String formatName) {
		if (binaryField != null) {
			String encoded = string(format, binaryField, formatName);
			if (encoded != null) {
				return base64(encoded, binaryField, formatName);
			}
		}
		if (textField.endsWith("-bin")) {
			String encoded = string(format, textField, formatName);
			return (encoded != null) ? base64(encoded, textField, formatName) : null;
		}
		String text = string(format, textField, formatName);
		return (text != null) ? Content.utf8(text) : null;
	}

	private static Content base64(String encoded, String field, String formatName) {
		try {
			return Content.base64(encoded);
		}
		catch (IllegalArgumentException ex) {
			throw new ItemException("'" + formatName + "' '" + field + "' is not valid base64");
		}
	}

	private static boolean has(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return value != null && !value.isNull();
	}

	private static void requireObject(JsonNode format, String formatName) {
		if (!format.isObject()) {
			throw new ItemException("'" + formatName + "' must be an object");
		}
	}

	private static @Nullable String string(JsonNode node, String field) {
		return string(node, field, "item");
	}

	private static @Nullable String string(JsonNode node, String field, String where) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new ItemException("'" + field + "' of '" + where + "' must be a string");
		}
		return value.asString();
	}

	private static Map<String, String> stringMap(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return Map.of();
		}
		if (!value.isObject()) {
			throw new ItemException("'" + field + "' must be an object of strings");
		}
		Map<String, String> map = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> entry : value.properties()) {
			if (!entry.getValue().isString()) {
				throw new ItemException("'" + field + "' value '" + entry.getKey() + "' must be a string");
			}
			map.put(entry.getKey(), entry.getValue().asString());
		}
		return map;
	}

	/** An item's error, before it is given the item's position. */
	private static final class ItemException extends RuntimeException {

		ItemException(String message) {
			super(message, null, false, false);
		}

	}

}
