package io.gripway.instruct;

import java.util.List;

import io.gripway.http.HeaderField;
import org.jspecify.annotations.Nullable;

/**
 * GRIP header names, and the test that decides whether an origin response carries GRIP instructions at all.
 */
public final class GripHeaders {

	/** Every GRIP header starts with this; all of them are stripped before the client sees the response. */
	public static final String PREFIX = "Grip-";

	public static final String GRIP_HOLD = "Grip-Hold";

	public static final String GRIP_CHANNEL = "Grip-Channel";

	public static final String GRIP_TIMEOUT = "Grip-Timeout";

	public static final String GRIP_KEEP_ALIVE = "Grip-Keep-Alive";

	public static final String GRIP_SET_META = "Grip-Set-Meta";

	public static final String GRIP_STATUS = "Grip-Status";

	public static final String GRIP_EXPOSE_HEADERS = "Grip-Expose-Headers";

	public static final String GRIP_LINK = "Grip-Link";

	public static final String GRIP_SIG = "Grip-Sig";

	public static final String GRIP_FEATURE = "Grip-Feature";

	public static final String GRIP_LAST = "Grip-Last";

	/** The content type of the JSON instruction form (GRIP reference §1.2). */
	public static final String INSTRUCT_CONTENT_TYPE = "application/grip-instruct";

	private static final String CONTENT_TYPE = "Content-Type";

	private GripHeaders() {
	}

	/** Whether {@code name} starts with {@code Grip-}, ignoring case as header names do. */
	public static boolean isGripHeader(String name) {
		return name.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
	}

	/**
	 * Whether the origin response is for GRIP processing. As in Pushpin, <em>any</em> {@code Grip-*} header counts (not
	 * just {@code Grip-Hold}), and so does the instruct content type, so that {@code Grip-Status} or
	 * {@code Grip-Channel} alone are still stripped before the client sees them.
	 */
	public static boolean isGripResponse(List<HeaderField> headers) {
		return isGripResponse(headers.stream().map(HeaderField::name).toList(), first(headers, CONTENT_TYPE));
	}

	/**
	 * The same test over header names and the first {@code Content-Type}, for a caller that has them at hand and
	 * should not build a header list for every response that is not GRIP.
	 */
	public static boolean isGripResponse(Iterable<String> names, @Nullable String contentType) {
		for (String name : names) {
			if (isGripHeader(name)) {
				return true;
			}
		}
		return isInstructContentType(contentType);
	}

	/** Whether the first {@code Content-Type}, parameters ignored, is {@code application/grip-instruct}. */
	static boolean isInstructContentType(List<HeaderField> headers) {
		return isInstructContentType(first(headers, CONTENT_TYPE));
	}

	private static boolean isInstructContentType(@Nullable String contentType) {
		if (contentType == null) {
			return false;
		}
		int semicolon = contentType.indexOf(';');
		String mediaType = (semicolon != -1) ? contentType.substring(0, semicolon) : contentType;
		return mediaType.trim().equalsIgnoreCase(INSTRUCT_CONTENT_TYPE);
	}

	/**
	 * The value of the first header called {@code name}. Single-valued GRIP headers read only their first instance,
	 * as Pushpin does.
	 */
	static @Nullable String first(List<HeaderField> headers, String name) {
		for (HeaderField header : headers) {
			if (header.named(name)) {
				return header.value();
			}
		}
		return null;
	}

}
