package io.gripway.instruct;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.jspecify.annotations.Nullable;

/**
 * Reads the GRIP instruction in an origin response: the {@code Grip-*} headers (GRIP reference §1.1), then, when the
 * content type is {@code application/grip-instruct}, the JSON body (§1.2, see {@link InstructJson}), which overrides
 * what it sets. A pure function, as Pushpin's {@code Instruct::fromResponse}: no clock, no I/O.
 *
 * <p>
 * Header values are taken as the strings the HTTP layer decoded. Where bytes are needed (keep-alive data) a value is
 * encoded as ISO-8859-1, which gives back the wire bytes for the Latin-1 decoding Netty uses, falling back to UTF-8
 * for a string that has wider characters.
 */
public final class InstructParser {

	/** How long a response hold waits for a publish when {@code Grip-Timeout} is absent. */
	public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(55);

	/** Shorter response-hold timeouts are raised to this, not rejected. */
	public static final Duration MINIMUM_RESPONSE_TIMEOUT = Duration.ofSeconds(5);

	/** The keep-alive period when {@code Grip-Keep-Alive} or JSON {@code keep-alive} names no timeout. */
	public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(55);

	/** Shorter keep-alive timeouts (only 0 is shorter) are raised to this. */
	public static final Duration MINIMUM_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(1);

	/** How long a stream may stay quiet on every channel before its next link is fetched, unless the link says. */
	public static final Duration DEFAULT_NEXT_LINK_TIMEOUT = Duration.ofSeconds(120);

	/** Filters one channel may declare (Pushpin's {@code MESSAGEFILTERSTACK_SIZE_MAX}). */
	public static final int MAX_FILTERS_PER_CHANNEL = 5;

	private InstructParser() {
	}

	/**
	 * Parses the instruction in an origin response that {@link GripHeaders#isGripResponse} accepted.
	 * @param status the origin's status code
	 * @param reason the origin's reason phrase, if it sent one
	 * @param headers the origin's headers, in order
	 * @param body the origin's body: the timeout response of a response hold, the first bytes of a stream hold; for a
	 * JSON instruction, the JSON itself
	 * @return the instruction; without {@code Grip-Hold} (or JSON {@code hold}) its hold is {@code null}
	 * @throws InvalidInstructException naming the header or JSON field and the rule it breaks
	 */
	public static Instruct parse(int status, @Nullable String reason, List<HeaderField> headers, Content body) {
		InstructDraft draft = new InstructDraft(status, reason, exposedHeaders(headers), body);
		draft.holdMode = holdMode(headers);
		draft.channels.addAll(channels(headers));
		String timeout = GripHeaders.first(headers, GripHeaders.GRIP_TIMEOUT);
		if (timeout != null) {
			draft.timeout = seconds(GripHeaders.GRIP_TIMEOUT, timeout);
		}
		String keepAlive = GripHeaders.first(headers, GripHeaders.GRIP_KEEP_ALIVE);
		if (keepAlive != null) {
			keepAlive(keepAlive, draft);
		}
		setMeta(headers, draft);
		links(headers, draft);
		String gripStatus = GripHeaders.first(headers, GripHeaders.GRIP_STATUS);
		// Pushpin ignores an empty Grip-Status: it states nothing to apply.
		if (gripStatus != null && !gripStatus.isBlank()) {
			status(gripStatus, draft);
		}
		if (GripHeaders.isInstructContentType(headers)) {
			InstructJson.apply(status, body, draft);
		}
		return draft.build();
	}

	private static @Nullable HoldMode holdMode(List<HeaderField> headers) {
		String value = GripHeaders.first(headers, GripHeaders.GRIP_HOLD);
		if (value == null) {
			return null;
		}
		// Case-sensitive on purpose, as in Pushpin: "Stream" is an origin bug worth a 502, not a guess.
		return switch (value.trim()) {
			case "response" -> HoldMode.RESPONSE;
			case "stream" -> HoldMode.STREAM;
			default -> throw invalid(GripHeaders.GRIP_HOLD, value, "expected 'response' or 'stream' (lower case)");
		};
	}

	private static List<ChannelSubscription> channels(List<HeaderField> headers) {
		List<ChannelSubscription> channels = new ArrayList<>();
		for (HeaderField header : headers) {
			if (!header.named(GripHeaders.GRIP_CHANNEL)) {
				continue;
			}
			for (HeaderParams.Element element : params(GripHeaders.GRIP_CHANNEL, header.value(),
					HeaderParams::parseList)) {
				// js-grip always emits Grip-Channel, with an empty value when the origin named no channel.
				if (element.first().isEmpty()) {
					continue;
				}
				String prevId = element.get("prev-id");
				channels.add(channel(GripHeaders.GRIP_CHANNEL, element.first(),
						(prevId == null || prevId.isEmpty()) ? null : prevId, element.getAll("filter")));
			}
		}
		return channels;
	}

	/** A channel with its filters checked; {@code source} names the header or JSON field for the error. */
	static ChannelSubscription channel(String source, String name, @Nullable String prevId, List<String> filters) {
		if (filters.size() > MAX_FILTERS_PER_CHANNEL) {
			throw new InvalidInstructException(source + ": too many filters for channel '" + name + "' ("
					+ filters.size() + " given, at most " + MAX_FILTERS_PER_CHANNEL + ")");
		}
		if (filters.stream().anyMatch(String::isBlank)) {
			throw new InvalidInstructException(source + ": channel '" + name + "' has a filter with no name");
		}
		// Filter names are kept as given, unknown ones too: the hold layer decides what it supports.
		return new ChannelSubscription(name, prevId, filters);
	}

	/** Whole seconds, 0 or more; clamping to a minimum is left to {@link InstructDraft#build()}. */
	private static Duration seconds(String source, String value) {
		int seconds;
		try {
			seconds = Integer.parseInt(value.trim());
		}
		catch (NumberFormatException ex) {
			throw invalid(source, value, "expected an integer number of seconds");
		}
		if (seconds < 0) {
			throw invalid(source, value, "must not be negative");
		}
		return Duration.ofSeconds(seconds);
	}

	/** {@code DATA; format=raw|cstring|base64; timeout=N; mode=idle|interval}, first header only, not comma-split. */
	private static void keepAlive(String value, InstructDraft draft) {
		String header = GripHeaders.GRIP_KEEP_ALIVE;
		HeaderParams.Element element = params(header, value, HeaderParams::parse);
		String mode = element.get("mode");
		if (mode == null || mode.isEmpty() || mode.equals("idle")) {
			draft.keepAliveMode = KeepAliveMode.IDLE;
		}
		else if (mode.equals("interval")) {
			draft.keepAliveMode = KeepAliveMode.INTERVAL;
		}
		else {
			throw invalid(header, value, "mode must be 'idle' or 'interval', not '" + mode + "'");
		}
		String timeout = element.get("timeout");
		if (timeout != null) {
			draft.keepAliveTimeout = seconds(header + " timeout", timeout);
		}
		byte[] data = wireBytes(element.first());
		String format = element.get("format");
		if (format != null && format.equals("cstring")) {
			data = params(header, value, (v) -> CString.unescape(wireBytes(element.first())));
		}
		else if (format != null && format.equals("base64")) {
			data = base64(header + " data", element.first()).toByteArray();
		}
		else if (format != null && !format.isEmpty() && !format.equals("raw")) {
			throw invalid(header, value, "format must be 'raw', 'cstring' or 'base64', not '" + format + "'");
		}
		if (data.length == 0) {
			throw invalid(header, value, "the keep-alive data must not be empty");
		}
		draft.keepAliveData = Content.adopt(data);
	}

	/** Every {@code Grip-Set-Meta} header, each a comma list of {@code key="value"}; later keys win. */
	private static void setMeta(List<HeaderField> headers, InstructDraft draft) {
		String header = GripHeaders.GRIP_SET_META;
		for (HeaderField field : headers) {
			if (!field.named(header)) {
				continue;
			}
			List<List<HeaderParams.Param>> elements = params(header, field.value(), HeaderParams::parseParameterList);
			if (elements.isEmpty()) {
				throw invalid(header, field.value(), "must not be empty");
			}
			for (List<HeaderParams.Param> element : elements) {
				if (element.isEmpty()) {
					throw invalid(header, field.value(), "has an empty element, expected key=\"value\"");
				}
				for (HeaderParams.Param param : element) {
					if (param.value() == null) {
						throw invalid(header, field.value(),
								"'" + param.name() + "' has no value, expected key=\"value\"");
					}
					draft.meta.put(param.name(), param.value());
				}
			}
		}
	}

	/**
	 * Every {@code Grip-Link} (repeated or comma-separated): {@code <uri>; rel=next[; timeout=N]} or
	 * {@code <uri>; rel=gone}. As in Pushpin, an element without parameters and a {@code rel} it does not know are
	 * ignored, a later link of one kind replaces an earlier one, and a link not in angle brackets is an error.
	 */
	private static void links(List<HeaderField> headers, InstructDraft draft) {
		String header = GripHeaders.GRIP_LINK;
		for (HeaderField field : headers) {
			if (!field.named(header)) {
				continue;
			}
			for (HeaderParams.Element element : params(header, field.value(), HeaderParams::parseList)) {
				if (element.params().isEmpty()) {
					continue;
				}
				String target = element.first();
				if (target.length() <= 2 || target.charAt(0) != '<' || target.charAt(target.length() - 1) != '>') {
					throw invalid(header, field.value(), "expected <uri>; rel=next or <uri>; rel=gone");
				}
				String uri = target.substring(1, target.length() - 1);
				if (!isUriReference(uri)) {
					throw invalid(header, field.value(), "'" + uri + "' is not a valid URI reference");
				}
				String rel = element.get("rel");
				if ("next".equals(rel)) {
					String timeout = element.get("timeout");
					draft.next = new NextLink(uri, (timeout != null) ? seconds(header + " timeout", timeout)
							: DEFAULT_NEXT_LINK_TIMEOUT);
				}
				else if ("gone".equals(rel)) {
					draft.goneLink = uri;
				}
			}
		}
	}

	private static boolean isUriReference(String uri) {
		try {
			URI.create(uri);
			return true;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	/** {@code CODE[ REASON]}; without a reason the standard phrase applies, not the origin's (it was for its code). */
	private static void status(String value, InstructDraft draft) {
		String trimmed = value.trim();
		int space = trimmed.indexOf(' ');
		String code = (space != -1) ? trimmed.substring(0, space) : trimmed;
		String reason = (space != -1) ? trimmed.substring(space + 1).trim() : "";
		if (!code.matches("[0-9]{1,3}")) {
			throw invalid(GripHeaders.GRIP_STATUS, value,
					"expected a status code from 0 to 999, then an optional reason");
		}
		draft.code = Integer.parseInt(code);
		draft.reason = reason.isEmpty() ? null : reason;
	}

	/**
	 * The origin headers the client may see: with {@code Grip-Expose-Headers} (every instance, comma lists) only the
	 * ones it lists, else all. {@link InstructDraft#build()} strips Grip-* and hop-by-hop headers from either.
	 */
	private static List<HeaderField> exposedHeaders(List<HeaderField> headers) {
		List<String> exposed = new ArrayList<>();
		for (HeaderField header : headers) {
			if (header.named(GripHeaders.GRIP_EXPOSE_HEADERS)) {
				for (String name : header.value().split(",")) {
					if (!name.isBlank()) {
						exposed.add(name.trim());
					}
				}
			}
		}
		if (exposed.isEmpty()) {
			return headers;
		}
		return headers.stream().filter((header) -> exposed.stream().anyMatch(header::named)).toList();
	}

	/** Runs a {@link HeaderParams} parser, turning its complaint into one that names the header. */
	private static <T> T params(String header, String value, Function<String, T> parser) {
		try {
			return parser.apply(value);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidInstructException(
					header + " has invalid value '" + value + "': " + ex.getMessage(), ex);
		}
	}

	/** Standard base64, as js-grip and Pushpin's JSON {@code *-bin} fields write it. */
	static Content base64(String source, String encoded) {
		try {
			return Content.base64(encoded);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidInstructException(source + " is not valid base64: " + ex.getMessage(), ex);
		}
	}

	static InvalidInstructException invalid(String header, String value, String rule) {
		return new InvalidInstructException(header + " has invalid value '" + value + "': " + rule);
	}

	/** The bytes a header value stood for on the wire (see the class comment). */
	private static byte[] wireBytes(String value) {
		return StandardCharsets.ISO_8859_1.newEncoder().canEncode(value) ? value.getBytes(StandardCharsets.ISO_8859_1)
				: value.getBytes(StandardCharsets.UTF_8);
	}

}
