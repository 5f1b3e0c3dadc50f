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

	static final Duration DEFAULT_SEND_DELAY = Duration.ofSeconds(1);

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
			case "send-delayed":
				return sendDelayed(root);
			case "flush-delayed":
				return new ControlMessage.FlushDelayed();
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
		String modeName = optionalString(root, "mode");
		KeepAliveMode mode = KeepAliveMode.IDLE;
		if ("interval".equals(modeName)) {
			mode = KeepAliveMode.INTERVAL;
		}
		else if (modeName != null && !"idle".equals(modeName)) {
			throw new InvalidControlMessageException(
					"keep-alive: 'mode' must be idle or interval, not '" + modeName + "'");
		}
		return new ControlMessage.KeepAlive(content(root, "keep-alive"), messageType(root, "keep-alive"),
				timeout(root, "keep-alive", DEFAULT_KEEP_ALIVE_TIMEOUT), mode);
	}

	private static ControlMessage sendDelayed(JsonNode root) {
		Content content = content(root, "send-delayed");
		if (content == null) {
			throw new InvalidControlMessageException("send-delayed: needs 'content' or 'content-bin'");
		}
		return new ControlMessage.SendDelayed(content, messageType(root, "send-delayed"),
				timeout(root, "send-delayed", DEFAULT_SEND_DELAY));
	}

	/** {@code content-bin} (base64) or {@code content}; null when neither is there. */
	private static @Nullable Content content(JsonNode root, String type) {
		String binary = optionalString(root, "content-bin");
		if (binary != null) {
			try {
				return Content.base64(binary);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidControlMessageException(type + ": 'content-bin' is not base64");
			}
		}
		String text = optionalString(root, "content");
		return (text != null) ? Content.utf8(text) : null;
	}

	/** {@code message-type}; by default binary for {@code content-bin} and text otherwise. */
	private static WsMessageType messageType(JsonNode root, String type) {
		String name = optionalString(root, "message-type");
		if (name == null) {
			return (root.hasNonNull("content-bin")) ? WsMessageType.BINARY : WsMessageType.TEXT;
		}
		WsMessageType messageType = WsMessageType.named(name);
		if (messageType == null) {
			throw new InvalidControlMessageException(
					type + ": 'message-type' must be text, binary, ping or pong, not '" + name + "'");
		}
		return messageType;
	}

	private static Duration timeout(JsonNode root, String type, Duration byDefault) {
		JsonNode node = root.get("timeout");
		if (node == null || node.isNull()) {
			return byDefault;
		}
		if (!node.canConvertToInt() || node.asInt() < 1) {
			throw new InvalidControlMessageException(type + ": 'timeout' must be a positive number of seconds");
		}
		return Duration.ofSeconds(node.asInt());
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
