package io.gripway.instruct;

import java.time.Duration;
import java.util.ArrayList;
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
 * The JSON form of a GRIP instruction (GRIP reference §1.2), the body of an {@code application/grip-instruct}
 * response. It is applied over what the {@code Grip-*} headers set, as in Pushpin: fields it sets win, channels are
 * added to the header ones, and the origin's own headers and body are always replaced by {@code response} (or by
 * nothing).
 */
final class InstructJson {

	private static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private InstructJson() {
	}

	static void apply(int status, Content body, InstructDraft draft) {
		// Pushpin: the status is what tells a real instruction from an error page that happens to carry the type.
		if (status != 200) {
			throw new InvalidInstructException(
					GripHeaders.INSTRUCT_CONTENT_TYPE + " response must have status 200, not " + status);
		}
		JsonNode instruct;
		try {
			instruct = MAPPER.readTree(body.toByteArray());
		}
		catch (JacksonException ex) {
			throw new InvalidInstructException(
					GripHeaders.INSTRUCT_CONTENT_TYPE + " body is not valid JSON: " + ex.getOriginalMessage(), ex);
		}
		if (instruct == null || !instruct.isObject()) {
			throw new InvalidInstructException(GripHeaders.INSTRUCT_CONTENT_TYPE + " body must be a JSON object");
		}
		JsonNode hold = object(instruct, "hold", "hold");
		if (hold != null) {
			hold(hold, draft);
		}
		draft.headers = List.of();
		draft.body = Content.EMPTY;
		JsonNode response = object(instruct, "response", "response");
		if (response != null) {
			response(response, draft);
		}
	}

	private static void hold(JsonNode hold, InstructDraft draft) {
		String mode = string(hold, "mode", "hold.mode");
		if (mode == null || mode.equals("response")) {
			draft.holdMode = HoldMode.RESPONSE;
		}
		else if (mode.equals("stream")) {
			draft.holdMode = HoldMode.STREAM;
		}
		else {
			throw new InvalidInstructException("hold.mode must be 'response' or 'stream', not '" + mode + "'");
		}
		List<JsonNode> channels = array(hold, "channels", "hold.channels");
		if (channels == null || channels.isEmpty()) {
			throw new InvalidInstructException("hold.channels is required and must name at least one channel");
		}
		for (int i = 0; i < channels.size(); i++) {
			draft.channels.add(channel(channels.get(i), "hold.channels[" + i + "]"));
		}
		Integer timeout = seconds(hold, "timeout", "hold.timeout");
		if (timeout != null) {
			draft.timeout = Duration.ofSeconds(timeout);
		}
		JsonNode keepAlive = object(hold, "keep-alive", "hold.keep-alive");
		if (keepAlive != null) {
			keepAlive(keepAlive, draft);
		}
		JsonNode meta = object(hold, "meta", "hold.meta");
		if (meta != null) {
			for (Map.Entry<String, JsonNode> entry : meta.properties()) {
				draft.meta.put(entry.getKey(), requiredString(meta, entry.getKey(), "hold.meta." + entry.getKey()));
			}
		}
	}

	private static ChannelSubscription channel(JsonNode channel, String path) {
		if (!channel.isObject()) {
			throw wrongType(path, "an object");
		}
		String name = requiredString(channel, "name", path + ".name");
		if (name.isEmpty()) {
			throw new InvalidInstructException(path + ".name must not be empty");
		}
		String prevId = string(channel, "prev-id", path + ".prev-id");
		List<String> filters = new ArrayList<>();
		List<JsonNode> filterNodes = array(channel, "filters", path + ".filters");
		if (filterNodes != null) {
			for (int i = 0; i < filterNodes.size(); i++) {
				if (!filterNodes.get(i).isString()) {
					throw wrongType(path + ".filters[" + i + "]", "a string");
				}
				filters.add(filterNodes.get(i).stringValue());
			}
		}
		// Pushpin does not limit JSON filters; the same limit as the header form keeps the two forms equivalent.
		return InstructParser.channel(path, name, (prevId == null || prevId.isEmpty()) ? null : prevId, filters);
	}

	private static void keepAlive(JsonNode keepAlive, InstructDraft draft) {
		String contentBin = string(keepAlive, "content-bin", "hold.keep-alive.content-bin");
		String content = string(keepAlive, "content", "hold.keep-alive.content");
		Content data;
		if (contentBin != null) {
			data = InstructParser.base64("hold.keep-alive.content-bin", contentBin);
		}
		else if (content != null) {
			data = Content.utf8(content);
		}
		else {
			data = Content.EMPTY;
		}
		// Pushpin would accept no content and then send nothing; an empty keep-alive is a mistake worth naming.
		if (data.isEmpty()) {
			throw new InvalidInstructException("hold.keep-alive needs a non-empty 'content' or 'content-bin'");
		}
		draft.keepAliveData = data;
		Integer timeout = seconds(keepAlive, "timeout", "hold.keep-alive.timeout");
		draft.keepAliveTimeout = (timeout != null) ? Duration.ofSeconds(timeout)
				: InstructParser.DEFAULT_KEEP_ALIVE_TIMEOUT;
	}

	private static void response(JsonNode response, InstructDraft draft) {
		JsonNode code = field(response, "code");
		if (code != null) {
			if (!code.isIntegralNumber() || !code.canConvertToInt() || code.intValue() < 0 || code.intValue() > 999) {
				throw wrongType("response.code", "an integer from 0 to 999");
			}
			draft.code = code.intValue();
			// A reason given with the old code (the origin's, or Grip-Status) would not match the new one.
			draft.reason = null;
		}
		String reason = string(response, "reason", "response.reason");
		if (reason != null && !reason.isEmpty()) {
			draft.reason = reason;
		}
		JsonNode headers = field(response, "headers");
		if (headers != null) {
			draft.headers = headers(headers);
		}
		String bodyBin = string(response, "body-bin", "response.body-bin");
		String body = string(response, "body", "response.body");
		if (bodyBin != null) {
			draft.body = InstructParser.base64("response.body-bin", bodyBin);
		}
		else if (body != null) {
			draft.body = Content.utf8(body);
		}
	}

	/** {@code {"Name": "value"}} or, to repeat a name, {@code [["Name", "value"], ...]}. */
	private static List<HeaderField> headers(JsonNode headers) {
		List<HeaderField> fields = new ArrayList<>();
		if (headers.isObject()) {
			for (Map.Entry<String, JsonNode> entry : headers.properties()) {
				fields.add(new HeaderField(entry.getKey(),
						requiredString(headers, entry.getKey(), "response.headers." + entry.getKey())));
			}
		}
		else if (headers.isArray()) {
			for (int i = 0; i < headers.size(); i++) {
				JsonNode pair = headers.get(i);
				String path = "response.headers[" + i + "]";
				if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isString() || !pair.get(1).isString()) {
					throw wrongType(path, "a [name, value] pair of strings");
				}
				fields.add(new HeaderField(pair.get(0).stringValue(), pair.get(1).stringValue()));
			}
		}
		else {
			throw wrongType("response.headers", "an object or a list of [name, value] pairs");
		}
		return fields;
	}

	/** The member {@code name}, or {@code null} when it is absent or JSON {@code null} (both mean "not set"). */
	private static @Nullable JsonNode field(JsonNode parent, String name) {
		JsonNode node = parent.get(name);
		return (node == null || node.isNull()) ? null : node;
	}

	private static @Nullable JsonNode object(JsonNode parent, String name, String path) {
		JsonNode node = field(parent, name);
		if (node != null && !node.isObject()) {
			throw wrongType(path, "an object");
		}
		return node;
	}

	private static @Nullable List<JsonNode> array(JsonNode parent, String name, String path) {
		JsonNode node = field(parent, name);
		if (node == null) {
			return null;
		}
		if (!node.isArray()) {
			throw wrongType(path, "a list");
		}
		List<JsonNode> elements = new ArrayList<>();
		node.values().forEach(elements::add);
		return elements;
	}

	private static @Nullable String string(JsonNode parent, String name, String path) {
		JsonNode node = field(parent, name);
		if (node != null && !node.isString()) {
			throw wrongType(path, "a string");
		}
		return (node != null) ? node.stringValue() : null;
	}

	private static String requiredString(JsonNode parent, String name, String path) {
		String value = string(parent, name, path);
		if (value == null) {
			throw wrongType(path, "a string");
		}
		return value;
	}

	/** Whole seconds, 0 or more, as for the header form. */
	private static @Nullable Integer seconds(JsonNode parent, String name, String path) {
		JsonNode node = field(parent, name);
		if (node == null) {
			return null;
		}
		if (!node.isIntegralNumber() || !node.canConvertToInt()) {
			throw wrongType(path, "an integer number of seconds");
		}
		if (node.intValue() < 0) {
			throw new InvalidInstructException(path + " must not be negative, got " + node.intValue());
		}
		return node.intValue();
	}

	private static InvalidInstructException wrongType(String path, String expected) {
		return new InvalidInstructException(path + " must be " + expected);
	}

}
