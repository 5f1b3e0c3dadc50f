package io.gripway.publish;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** One of an item's per-transport payloads; a subscriber receives the one matching its transport, or nothing. */
public sealed interface Format permits HttpResponseFormat, HttpStreamFormat, WsMessageFormat {

	Action action();

	/**
	 * The content filters the content was written for ({@code content-filters}), or {@code null} when the publisher
	 * named none. When given, the item reaches only subscriptions whose content filters are exactly these (see
	 * {@code io.gripway.filter.ContentFilters#accepts}). Read for {@code send} only, as Pushpin does; {@code null} for
	 * the other actions.
	 */
	@Nullable List<String> contentFilters();

}
