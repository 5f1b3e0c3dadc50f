package io.gripway.filter;

/**
 * A content filter failed for one subscriber: its subscription meta is missing or wrong ({@code id_format},
 * {@code id_encoding}), or the content or id template does not render. The caller drops the item for that subscriber
 * and counts it, as Pushpin does outside debug mode; other subscribers are not affected.
 */
public final class ContentFilterException extends Exception {

	private final String filter;

	ContentFilterException(String filter, String message) {
		// Pushpin's FilterStack prefixes the filter name the same way: "build-id: no sub meta 'id_format'".
		super(filter + ": " + message);
		this.filter = filter;
	}

	ContentFilterException(String filter, String message, TemplateException cause) {
		super(filter + ": " + message, cause);
		this.filter = filter;
	}

	/** The name of the filter that failed, {@link ContentFilters#BUILD_ID} or {@link ContentFilters#VAR_SUBST}. */
	public String filter() {
		return this.filter;
	}

	// Expected at message rate from a misconfigured subscription: the message says enough.
	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
