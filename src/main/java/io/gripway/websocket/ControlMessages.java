package io.gripway.websocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.gripway.http.Content;
import io.gripway.instruct.KeepAliveMode;
import io.gripway.publish.WsMessageType;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses the JSON of a {@code c:} control message (reference §4.1, Pushpin {@code wscontrolmessage.cpp}). Pure: no
 * I/O, no clock.
 */
public final class ControlMessages {

	/** Filters per subscription, as in Pushpin; more closes the connection with 1011. */
	public static final int MAX_FILTERS = 5;

	static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(55);

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private ControlMessages() {
	}

	/** @throws InvalidControlMessageException naming the field and the rule it broke */
	public static ControlMessage parse(String json) {
		JsonNode root;
		try {
			root = MAPPER.readTree(json);
		}
		catch (JacksonException ex) {
			throw new InvalidControlMessageException("control message is not JSON: " + ex.getOriginalMessage());
		}
		if (root == null || !root.isObject()) {
			throw new InvalidControlMessageException("control message is not a JSON object");
		}
		String type = requiredString(root, "type");
		switch (type) {
			case "subscribe":
				return new ControlMessage.Subscribe(channel(root, type), filters(root));
			case "unsubscribe":
				return new ControlMessage.Unsubscribe(channel(root, type));
			case "detach":
				return new ControlMessage.Detach();
			case "keep-alive":
				return keepAlive(root);
			case "set-meta":
				return new ControlMessage.SetMeta(requiredString(root, "name"), optionalString(root, "value"));
			default:
				return new ControlMessage.Unsupported(type);
		}
	}

	private static String channel(JsonNode root, String type) {
		String channel = requiredString(root, "channel");
		if (channel.isEmpty()) {
			throw new InvalidControlMessageException(type + ": 'channel' must not be empty");
		}
		return channel;
	}

	private static List<String> filters(JsonNode root) {
		JsonNode node = root.get("filters");
		if (node == null || node.isNull()) {
			return List.of();
		}
		if (!node.isArray()) {
			throw new InvalidControlMessageException("subscribe: 'filters' must be an array of strings");
		}
		List<String> filters = new ArrayList<>();
		for (JsonNode filter : node) {
			if (!filter.isString()) {
				throw new InvalidControlMessageException("subscribe: 'filters' must be an array of strings");
			}
			filters.add(filter.asString());
		}
		if (filters.size() > MAX_FILTERS) {
			throw new InvalidControlMessageException(
					"subscribe: " + filters.size() + " filters, at most " + MAX_FILTERS + " allowed");
		}
		return filters;
	}

	private static ControlMessage keepAlive(JsonNode root) {
		String binary = optionalString(root, "content-bin");
		String text = optionalString(root, "content");
		Content content = null;
		if (binary != null) {
			try {
				content = Content.base64(binary);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidControlMessageException("keep-alive: 'content-bin' is not base64");
			}
		}
		else if (text != null) {
			content = Content.utf8(text);
		}
		String typeName = optionalString(root, "message-type");
		WsMessageType type = (typeName != null) ? messageType(typeName)
				: (binary != null) ? WsMessageType.BINARY : WsMessageType.TEXT;
		JsonNode timeoutNode = root.get("timeout");
		Duration timeout = DEFAULT_KEEP_ALIVE_TIMEOUT;
		if (timeoutNode != null && !timeoutNode.isNull()) {
			if (!timeoutNode.canConvertToInt() || timeoutNode.asInt() < 1) {
				throw new InvalidControlMessageException("keep-alive: 'timeout' must be a positive number of seconds");
			}
			timeout = Duration.ofSeconds(timeoutNode.asInt());
		}
		String modeName = optionalString(root, "mode");
		KeepAliveMode mode = KeepAliveMode.IDLE;
		if ("interval".equals(modeName)) {
			mode = KeepAliveMode.INTERVAL;
		}
		else if (modeName != null && !"idle".equals(modeName)) {
			throw new InvalidControlMessageException("keep-alive: 'mode' must be idle or interval, not '" + modeName + "'");
		}
		return new ControlMessage.KeepAlive(content, type, timeout, mode);
	}

	private static WsMessageType messageType(String name) {
		WsMessageType type = WsMessageType.named(name);
		if (type == null) {
			throw new InvalidControlMessageException(
					"keep-alive: 'message-type' must be text, binary, ping or pong, not '" + name + "'");
		}
		return type;
	}

	private static String requiredString(JsonNode root, String field) {
		String value = optionalString(root, field);
		if (value == null) {
			throw new InvalidControlMessageException("control message has no string '" + field + "'");
		}
		return value;
	}

	private static @Nullable String optionalString(JsonNode root, String field) {
		JsonNode node = root.get(field);
		if (node == null || node.isNull()) {
			return null;
		}
		if (!node.isString()) {
			throw new InvalidControlMessageException("control message field '" + field + "' must be a string");
		}
		return node.asString();
	}

}
