package io.gripway.instruct;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.jspecify.annotations.Nullable;

/**
 * The instruction while it is being read: the header form fills it in, the JSON form then overrides what it sets, and
 * {@link #build()} applies the defaults and limits once. Mutable, but it never leaves one
 * {@link InstructParser#parse} call, which stays a pure function.
 */
final class InstructDraft {

	/** Hop-by-hop or framing headers Pushpin removes from every GRIP response: the proxy frames the client side. */
	private static final Set<String> REMOVED_HEADERS = Set.of("connection", "keep-alive", "transfer-encoding",
			"content-encoding");

	private static final String CONTENT_LENGTH = "Content-Length";

	@Nullable HoldMode holdMode;

	final List<ChannelSubscription> channels = new ArrayList<>();

	/** {@code null} until an instruction names one, so that the default applies. */
	@Nullable Duration timeout;

	@Nullable Content keepAliveData;

	Duration keepAliveTimeout = InstructParser.DEFAULT_KEEP_ALIVE_TIMEOUT;

	/** Only the header form names a mode; {@code null} means the JSON form set the keep-alive alone. */
	@Nullable KeepAliveMode keepAliveMode;

	final Map<String, String> meta = new LinkedHashMap<>();

	int code;

	@Nullable String reason;

	List<HeaderField> headers;

	Content body;

	@Nullable NextLink next;

	@Nullable String goneLink;

	InstructDraft(int code, @Nullable String reason, List<HeaderField> headers, Content body) {
		this.code = code;
		this.reason = reason;
		this.headers = headers;
		this.body = body;
	}

	Instruct build() {
		HoldInstruction hold = null;
		if (this.holdMode != null) {
			// GRIP spec: a hold names at least one channel; with none nothing could ever release it but the timeout.
			if (this.channels.isEmpty()) {
				throw new InvalidInstructException(
						"Grip-Hold requires at least one channel (Grip-Channel header or JSON hold.channels)");
			}
			Duration timeout = atLeast(InstructParser.MINIMUM_RESPONSE_TIMEOUT,
					(this.timeout != null) ? this.timeout : InstructParser.DEFAULT_RESPONSE_TIMEOUT);
			hold = new HoldInstruction(this.holdMode, this.channels, timeout, keepAlive());
		}
		ResponseTemplate response = new ResponseTemplate(this.code, this.reason, clientHeaders(hold != null),
				this.body);
		return new Instruct(hold, response, this.meta, this.next, this.goneLink);
	}

	private @Nullable KeepAlive keepAlive() {
		if (this.keepAliveData == null) {
			return null;
		}
		// Pushpin raises a keep-alive timeout of 0 to 1 s rather than rejecting it.
		Duration timeout = atLeast(InstructParser.MINIMUM_KEEP_ALIVE_TIMEOUT, this.keepAliveTimeout);
		// Pushpin quirk (reference §1.2): the JSON keep-alive has no mode, and Pushpin only restarts the timer on
		// activity in idle mode, so without a Grip-Keep-Alive header (whose mode defaults to idle) it is an interval.
		KeepAliveMode mode = (this.keepAliveMode != null) ? this.keepAliveMode : KeepAliveMode.INTERVAL;
		return new KeepAlive(this.keepAliveData, timeout, mode);
	}

	/** GRIP clamps short timeouts up to the minimum rather than rejecting them (Pushpin: qMax). */
	private static Duration atLeast(Duration minimum, Duration timeout) {
		return (timeout.compareTo(minimum) < 0) ? minimum : timeout;
	}

	/**
	 * The headers the client may see: no {@code Grip-*}, no hop-by-hop or encoding headers, and no
	 * {@code Content-Length} on a hold, since the proxy re-frames a held response (chunked stream, or a body chosen
	 * later by a publish).
	 */
	private List<HeaderField> clientHeaders(boolean held) {
		return this.headers.stream()
			.filter((header) -> !GripHeaders.isGripHeader(header.name()))
			.filter((header) -> !REMOVED_HEADERS.contains(header.name().toLowerCase(Locale.ROOT)))
			.filter((header) -> !(held && header.named(CONTENT_LENGTH)))
			.toList();
	}

}
