package io.gripway.interop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gripway.test.GripwayInstance;
import io.gripway.test.TestOrigin;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * An origin that speaks GRIP the way django-eventstream 5 does, reproduced from its source (the library cannot be
 * installed here): {@code views.events}, {@code EventRequest}, {@code get_events}, {@code EventResponse.to_grip_response}
 * with django-grip's header encoding, the {@code DjangoModelStorage} id rules, and {@code send_event}'s publish. One
 * anonymous user; every channel is reliable (stored).
 *
 * <p>
 * {@code GET /events/?channel=c1} answers {@code text/event-stream} with a 2 KiB padding comment and
 * {@code event: stream-open}, the stored events after {@code Last-Event-ID} (or {@code ?lastEventId=}), and the
 * instruction: {@code Grip-Hold: stream}, {@code Grip-Channel: events-c1; prev-id=N; filter=build-id; filter=skip-users,
 * user-anonymous; filter=require-sub}, {@code Grip-Set-Meta: id_format="c1:%(events-c1)s", user="anonymous"}, a
 * {@code event: keep-alive} keep-alive every 20 s, and {@code Grip-Link: </events/?channel=c1&link=next&recover=true&es-meta=…>; rel=next}.
 * The next link ({@code recover=true}) takes the last ids from {@code Grip-Last} and answers without the padding.
 */
final class DjangoEventstreamOrigin implements AutoCloseable {

	/** Events per response, over all channels ({@code get_events(limit=100)}). */
	private static final int LIMIT = 100;

	static final String PADDING = ":" + " ".repeat(2048) + "\n\n";

	static final String STREAM_OPEN = "event: stream-open\ndata:\n\n";

	private static final Pattern ES_META_CHANNEL = Pattern.compile("\"([^\"]+)\"");

	private final TestOrigin origin = new TestOrigin();

	/** The data of every event of each channel; the event id is the index + 1. */
	private final Map<String, List<String>> store = new ConcurrentHashMap<>();

	DjangoEventstreamOrigin() {
		// Django's URL is /events/; register both spellings of the path, whatever the router makes of the slash
		this.origin.route("/events/", this::events);
		this.origin.route("/events", this::events);
	}

	/** {@code send_event(channel, "message", data)}: stores the event and publishes it through {@code gripway}. */
	int sendEvent(GripwayInstance gripway, String channel, String data) {
		int id = store(channel, data);
		gripway.publishOk(publishBody(channel, "message", data, id));
		return id;
	}

	/** Stores an event whose publish is lost: the proxy never hears of it. */
	int store(String channel, String data) {
		List<String> events = this.store.computeIfAbsent(channel, (c) -> new CopyOnWriteArrayList<>());
		synchronized (events) {
			events.add(data);
			return events.size();
		}
	}

	/**
	 * What {@code publish_event} posts (through pubcontrol, items in the legacy form without {@code formats}): the
	 * event with {@code id: %I}, its data escaped for the {@code build-id} content filter.
	 */
	static String publishBody(String channel, String type, String data, int id) {
		String content = encodeEvent(type, data, "%I", true);
		return "{\"items\": [{\"id\": \"" + id + "\", \"prev-id\": \"" + (id - 1)
				+ "\", \"http-stream\": {\"content-filters\": [\"build-id\"], \"content\": " + json(content)
				+ "}, \"channel\": \"events-" + channel + "\"}]}";
	}

	/** {@code publish_kick}: a stream-error for the user's connections on {@code channel}, then a close. */
	static List<String> kickBodies(String user, String channel) {
		String data = "{'condition': 'forbidden', 'text': 'Permission denied to channels: " + channel
				+ "', 'channels': ['" + channel + "']}";
		String meta = "\"meta\": {\"require_sub\": \"events-" + channel + "\"}";
		return List.of(
				"{\"items\": [{\"id\": \"kick-1\", " + meta + ", \"http-stream\": {\"content\": "
						+ json(encodeEvent("stream-error", data, "error", false)) + "}, \"channel\": \"user-" + user
						+ "\"}]}",
				"{\"items\": [{\"id\": \"kick-2\", \"prev-id\": \"kick-1\", " + meta
						+ ", \"http-stream\": {\"action\": \"close\"}, \"channel\": \"user-" + user + "\"}]}");
	}

	/** {@code sse_encode_event}; {@code escape} doubles {@code %} for the build-id filter. */
	static String encodeEvent(String type, String data, @Nullable String id, boolean escape) {
		if (escape) {
			type = type.replace("%", "%%");
			data = data.replace("%", "%%");
		}
		StringBuilder out = new StringBuilder("event: ").append(type).append('\n');
		if (id != null && !id.isEmpty()) {
			out.append("id: ").append(id).append('\n');
		}
		for (String line : data.split("\r\n|\r|\n", -1)) {
			out.append("data: ").append(line).append('\n');
		}
		return out.append('\n').toString();
	}

	List<TestOrigin.Received> received() {
		return this.origin.received();
	}

	String url() {
		return this.origin.url();
	}

	@Override
	public void close() {
		this.origin.close();
	}

	private Mono<Void> events(HttpServerRequest request, HttpServerResponse response) {
		Map<String, List<String>> params = new LinkedHashMap<>(new QueryStringDecoder(request.uri()).parameters());
		List<String> channels = channels(params);
		if (channels.isEmpty()) {
			return error(response, "bad-request", "Invalid request: No channels specified.");
		}
		boolean next = "next".equals(first(params, "link"));
		Map<String, String> lastIds = new LinkedHashMap<>();
		if ("true".equals(first(params, "recover"))) {
			// EventRequest: last ids from Grip-Last, for events-* channels of this request only
			for (String value : request.requestHeaders().getAll("Grip-Last")) {
				for (String part : value.split(",")) {
					String[] channelAndParams = part.trim().split(";\\s*last-id=", 2);
					String name = channelAndParams[0].trim();
					if (channelAndParams.length == 2 && name.startsWith("events-")
							&& channels.contains(name.substring(7))) {
						lastIds.put(name.substring(7), channelAndParams[1].trim());
					}
				}
			}
		}
		else {
			String lastEventId = request.requestHeaders().get("Last-Event-ID");
			if (lastEventId == null || lastEventId.isEmpty()) {
				List<String> values = params.getOrDefault("lastEventId", List.of());
				for (int i = values.size() - 1; i >= 0 && (lastEventId == null || lastEventId.isEmpty()); i--) {
					lastEventId = values.get(i);
				}
			}
			if (lastEventId != null && !lastEventId.isEmpty()) {
				if (lastEventId.equals("error")) {
					return response.status(400)
						.sendString(Mono.just("Invalid request: Can't resume session after stream-error.\n"))
						.then();
				}
				for (String part : lastEventId.split(",")) {
					String[] channelAndId = part.split(":");
					if (channelAndId.length != 2) {
						return error(response, "bad-request",
								"Invalid request: Failed to parse Last-Event-ID or lastEventId.");
					}
					if (channels.contains(channelAndId[0])) {
						lastIds.put(channelAndId[0], channelAndId[1]);
					}
				}
			}
		}
		response.header("Content-Type", "text/event-stream")
			.header("Cache-Control", "no-cache")
			.header("X-Accel-Buffering", "no");
		return respond(request, response, params, channels, lastIds, next);
	}

	/** {@code get_events} and {@code to_grip_response}. */
	private Mono<Void> respond(HttpServerRequest request, HttpServerResponse response, Map<String, List<String>> params,
			List<String> channels, Map<String, String> requestedIds, boolean next) {
		int limitPerChannel = Math.max(1, LIMIT / channels.size());
		Map<String, String> lastIds = new LinkedHashMap<>();
		Map<String, List<Integer>> items = new LinkedHashMap<>();
		List<String> reset = new ArrayList<>();
		boolean more = false;
		for (String channel : channels) {
			List<String> events = new ArrayList<>(this.store.getOrDefault(channel, List.of()));
			int current = events.size();
			List<Integer> ids = new ArrayList<>();
			String requested = requestedIds.get(channel);
			if (requested == null) {
				lastIds.put(channel, String.valueOf(current));
			}
			else {
				int after = Integer.parseInt(requested);
				if (after != current && (after < 1 || after > current)) {
					// DjangoModelStorage: the referenced event does not exist
					reset.add(channel);
					lastIds.put(channel, String.valueOf(current));
				}
				else {
					lastIds.put(channel, requested);
					for (int id = after + 1; id <= current && ids.size() < limitPerChannel + 1; id++) {
						ids.add(id);
					}
					if (ids.size() > limitPerChannel) {
						ids.remove(ids.size() - 1);
						more = true;
					}
				}
			}
			items.put(channel, ids);
		}
		StringBuilder body = new StringBuilder();
		if (!next) {
			body.append(PADDING).append(STREAM_OPEN);
		}
		if (!reset.isEmpty()) {
			body.append(encodeEvent("stream-reset", "{\"channels\": [\"" + String.join("\", \"", reset) + "\"]}",
					makeId(lastIds), false));
		}
		for (Map.Entry<String, List<Integer>> entry : items.entrySet()) {
			List<String> events = this.store.getOrDefault(entry.getKey(), List.of());
			for (int id : entry.getValue()) {
				lastIds.put(entry.getKey(), String.valueOf(id));
				body.append(encodeEvent("message", events.get(id - 1), makeId(lastIds), true));
			}
		}

		Map<String, List<String>> nextParams = new LinkedHashMap<>(params);
		nextParams.put("link", List.of("next"));
		if (more) {
			nextParams.put("lastEventId", List.of(makeId(lastIds)));
			nextParams.remove("recover");
		}
		else {
			nextParams.put("recover", List.of("true"));
			nextParams.remove("lastEventId");
		}
		nextParams.put("es-meta", List.of(esMeta(channels)));
		String path = request.uri().substring(0, request.uri().indexOf('?'));

		List<String> gripChannels = new ArrayList<>();
		for (String channel : channels) {
			String lastId = lastIds.get(channel);
			gripChannels.add("events-" + channel + "; prev-id=" + lastId + "; filter=build-id; filter=skip-users");
		}
		gripChannels.add("user-anonymous; filter=require-sub");
		List<String> idFormat = new ArrayList<>();
		for (String channel : lastIds.keySet()) {
			idFormat.add(channel.replace("%", "%%") + ":%(events-" + channel + ")s");
		}
		if (!more) {
			response.header("Grip-Hold", "stream");
		}
		return response.header("Grip-Channel", String.join(", ", gripChannels))
			.header("Grip-Keep-Alive", "event: keep-alive\\ndata:\\n\\n; format=cstring; timeout=20")
			.header("Grip-Set-Meta", "id_format=\"" + String.join(",", idFormat) + "\", user=\"anonymous\"")
			.header("Grip-Link", "<" + path + "?" + urlencode(nextParams) + ">; rel=next")
			.sendString(Mono.just(body.toString()))
			.then();
	}

	private static Mono<Void> error(HttpServerResponse response, String condition, String text) {
		String data = "{\"condition\": \"" + condition + "\", \"text\": \"" + text + "\"}";
		return response.header("Content-Type", "text/event-stream")
			.sendString(Mono.just(encodeEvent("stream-error", data, "error", false)))
			.then();
	}

	/** The channels: from the es-meta the next link carries, else {@code ?channel=}. */
	private static List<String> channels(Map<String, List<String>> params) {
		String esMeta = first(params, "es-meta");
		if (esMeta == null) {
			return params.getOrDefault("channel", List.of()).stream().distinct().toList();
		}
		// the library signs a JWT with channels, user and expiry; an unsigned stand-in is enough here
		String json = new String(Base64.getUrlDecoder().decode(esMeta), StandardCharsets.UTF_8);
		String list = json.substring(json.indexOf('[') + 1, json.indexOf(']'));
		List<String> channels = new ArrayList<>();
		Matcher matcher = ES_META_CHANNEL.matcher(list);
		while (matcher.find()) {
			channels.add(matcher.group(1));
		}
		return channels;
	}

	private static String esMeta(List<String> channels) {
		String json = "{\"iss\": \"es\", \"channels\": [\"" + String.join("\", \"", channels)
				+ "\"], \"user\": \"anonymous\"}";
		return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

	private static @Nullable String first(Map<String, List<String>> params, String name) {
		List<String> values = params.get(name);
		return (values != null && !values.isEmpty()) ? values.get(0) : null;
	}

	/** {@code make_id}: {@code c1:4,c2:7}. */
	private static String makeId(Map<String, String> ids) {
		List<String> parts = new ArrayList<>();
		ids.forEach((channel, id) -> parts.add(channel + ":" + id));
		return String.join(",", parts);
	}

	private static String urlencode(Map<String, List<String>> params) {
		List<String> pairs = new ArrayList<>();
		params.forEach((name, values) -> values.forEach((value) -> pairs.add(
				java.net.URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
						+ java.net.URLEncoder.encode(value, StandardCharsets.UTF_8))));
		return String.join("&", pairs);
	}

	/** A JSON string literal. */
	static String json(String text) {
		StringBuilder out = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.append('"').toString();
	}

}
