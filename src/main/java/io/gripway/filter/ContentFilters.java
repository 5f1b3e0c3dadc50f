package io.gripway.filter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import org.jspecify.annotations.Nullable;

/**
 * GRIP's content filters (reference §2.6): the subscription filters that rewrite what one connection receives, and
 * the {@code content-filters} check of published formats (§2.3). Pushpin's {@code src/handler/filter.cpp} is the model;
 * the delivery-side filters that only keep or drop an item ({@code skip-self}, {@code skip-users},
 * {@code require-sub}) live with the holds.
 *
 * <p>
 * Of Pushpin's filters that target message content, {@code build-id} and {@code var-subst} are implemented.
 * {@code http-modify} (and {@code http-check}), which POST each item to an HTTP service, are not: Gripway behaves as a
 * Pushpin build without them (they exist only under {@code VERSION_GE_2}), where those names are unknown filters. They
 * are then neither content filters for the {@code content-filters} check nor applied, so an item published with
 * {@code "content-filters": ["http-modify"]} reaches no subscriber rather than reaching one unmodified.
 *
 * <p>
 * Failures are per subscriber: {@link #apply} throws {@link ContentFilterException}, and the caller drops the item for
 * that connection and counts it. That is what Pushpin does outside debug mode ({@code httpsession.cpp} and
 * {@code wssession.cpp}, {@code messageFiltersFinished}: an error result is neither delivered nor fatal). Pushpin's
 * asynchronous {@code build-id} and {@code var-subst} filters lose their own error on the way there and deliver empty
 * content instead; that is not copied.
 *
 * <h3>Thread safety</h3> Stateless; safe from any thread.
 */
public final class ContentFilters {

	/** Renders the subscription's {@code id_format} and writes it where the content says {@code %I}. */
	public static final String BUILD_ID = "build-id";

	/** Replaces {@code %(name)s} in the content with the subscription meta value {@code name}. */
	public static final String VAR_SUBST = "var-subst";

	/** Subscription meta: the id template of {@code build-id}. */
	public static final String ID_FORMAT = "id_format";

	/** Subscription meta: {@code hex} to write {@code build-id}'s id hex-encoded. */
	public static final String ID_ENCODING = "id_encoding";

	private static final String HEX = "hex";

	private ContentFilters() {
	}

	/**
	 * The subscription's filters that transform message content, in subscription order, duplicates kept (Pushpin:
	 * the filters whose {@code Filter::targets} include {@code MessageContent}).
	 * @param subscriptionFilters the filters of the channel the item was published to, as the subscriber declared them
	 */
	public static List<String> contentFilters(List<String> subscriptionFilters) {
		List<String> result = new ArrayList<>(subscriptionFilters.size());
		for (String filter : subscriptionFilters) {
			if (isContentFilter(filter)) {
				result.add(filter);
			}
		}
		return List.copyOf(result);
	}

	/**
	 * Whether any of a subscription's filters rewrites content: asked for every subscriber of every item, so it
	 * allocates nothing, unlike {@link #contentFilters}.
	 */
	public static boolean rewritesContent(List<String> subscriptionFilters) {
		for (String filter : subscriptionFilters) {
			if (isContentFilter(filter)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether an item may reach a subscriber, as far as content filters go: a format that names
	 * {@code content-filters} says which rewriting its content was written for, and reaches only subscriptions whose
	 * {@linkplain #contentFilters content filters} are exactly those, in the same order. Pushpin drops a mismatching
	 * item for that subscriber ({@code httpsession.cpp}/{@code wssession.cpp}, "content filter mismatch").
	 * @param publishedContentFilters the format's {@code content-filters}, or {@code null} when it named none (no
	 * check)
	 * @param subscriptionFilters the filters of the channel the item was published to
	 */
	public static boolean accepts(@Nullable List<String> publishedContentFilters, List<String> subscriptionFilters) {
		return publishedContentFilters == null || publishedContentFilters.equals(contentFilters(subscriptionFilters));
	}

	/**
	 * Applies the subscription's content filters to one published item's content, for one connection, each in turn in
	 * subscription order (the output of one is the input of the next, as in Pushpin's {@code MessageFilterStack}).
	 * Filters that do not touch content are skipped here.
	 * <ul>
	 * <li>{@code build-id}: renders meta {@code id_format} with {@code currentIds} ({@link IdFormat#renderId}), then
	 * renders the content with that id ({@link IdFormat#renderContent}), hex-encoded when meta {@code id_encoding} is
	 * {@code hex}. The id is rendered first, so an {@code id_format} naming a channel without an id fails even for
	 * content without {@code %I}, as in Pushpin. Every {@code %} in the content must be a directive or {@code %%}.</li>
	 * <li>{@code var-subst}: {@code %(name)s} in the content becomes meta {@code name}; {@code %%} becomes {@code %};
	 * anything else after a {@code %} is an error.</li>
	 * </ul>
	 * @param subscriptionFilters the filters of the channel the item was published to
	 * @param subscriptionMeta the connection's subscription meta ({@code Grip-Set-Meta})
	 * @param currentIds for each channel of the connection that has one, its last id, <em>this item's id
	 * included</em>: the id written at {@code %I} names the event being delivered, so a client resuming from it
	 * (django-eventstream's {@code Last-Event-ID}) does not receive it twice. Pushpin did exactly that until its
	 * filters became asynchronous (commit f3db861d, 2025), which moved the update after the filters.
	 * @param content the format's content or body
	 * @return the content to deliver to this connection; {@code content} itself when no filter changed it
	 * @throws ContentFilterException if a filter fails; drop the item for this connection
	 */
	public static Content apply(List<String> subscriptionFilters, Map<String, String> subscriptionMeta,
			Map<String, String> currentIds, Content content) throws ContentFilterException {
		Content result = content;
		for (String filter : subscriptionFilters) {
			if (BUILD_ID.equals(filter)) {
				result = buildId(subscriptionMeta, currentIds, result);
			}
			else if (VAR_SUBST.equals(filter)) {
				result = varSubst(subscriptionMeta, result);
			}
		}
		return result;
	}

	/**
	 * Applies the filters that target a hold's initial response body ({@code build-id} only) when any channel of the
	 * hold declares them, once, as Pushpin's {@code httpsession.cpp} does before it starts a held response. There are
	 * no ids at that point, so a bare {@code %I} fails while {@code %(id)I} and {@code %%} render.
	 * @param channelFilters the filters of each channel of the hold
	 * @param subscriptionMeta the hold's subscription meta
	 * @param body the origin's response body; an empty body is returned as is
	 * @throws ContentFilterException if the filter fails; Pushpin then answers 502 instead of holding
	 */
	public static Content applyToResponse(Collection<? extends Collection<String>> channelFilters,
			Map<String, String> subscriptionMeta, Content body) throws ContentFilterException {
		if (body.isEmpty()) {
			return body;
		}
		for (Collection<String> filters : channelFilters) {
			if (filters.contains(BUILD_ID)) {
				return buildId(subscriptionMeta, null, body);
			}
		}
		return body;
	}

	private static boolean isContentFilter(String filter) {
		return BUILD_ID.equals(filter) || VAR_SUBST.equals(filter);
	}

	/** Pushpin's {@code BuildIdFilter}: its checks, in its order, with its messages. */
	private static Content buildId(Map<String, String> meta, @Nullable Map<String, String> ids, Content content)
			throws ContentFilterException {
		String idFormat = meta.get(ID_FORMAT);
		if (idFormat == null) {
			throw new ContentFilterException(BUILD_ID, "no sub meta '" + ID_FORMAT + "'");
		}
		String id = null;
		if (ids != null) {
			try {
				id = IdFormat.renderId(idFormat, ids);
			}
			catch (TemplateException ex) {
				throw new ContentFilterException(BUILD_ID, "failed to render ID: " + ex.getMessage(), ex);
			}
		}
		String encoding = meta.get(ID_ENCODING);
		// Pushpin accepts only "hex"; an empty value is an unsupported encoding too, not "none".
		if (encoding != null && !HEX.equals(encoding)) {
			throw new ContentFilterException(BUILD_ID, "unsupported encoding: " + encoding);
		}
		try {
			return IdFormat.renderContent(content, id, encoding != null);
		}
		catch (TemplateException ex) {
			throw new ContentFilterException(BUILD_ID, String.valueOf(ex.getMessage()), ex);
		}
	}

	/** Pushpin's {@code VarSubstFilter}. */
	private static Content varSubst(Map<String, String> meta, Content content) throws ContentFilterException {
		if (!Template.hasDirectives(content)) {
			return content;
		}
		try {
			return Content.adopt(Template.render(content.toByteArray(), Template.variables(meta)));
		}
		catch (TemplateException ex) {
			throw new ContentFilterException(VAR_SUBST, String.valueOf(ex.getMessage()), ex);
		}
	}

}
