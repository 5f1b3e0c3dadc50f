package io.gripway.filter;

import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ContentFiltersTests {

	// What django-eventstream asks for (django_eventstream/eventresponse.py and utils.py): each events channel
	// subscribed with build-id and skip-users, the id template in meta, and events published as SSE with "id: %I".
	private static final List<String> DJANGO_FILTERS = List.of("build-id", "skip-users");

	private static final Content DJANGO_EVENT = Content.utf8("event: message\nid: %I\ndata: x\n\n");

	// contentFilters and accepts.

	@Test
	void contentFiltersKeepOnlyBuildIdAndVarSubstInOrder() {
		assertThat(ContentFilters.contentFilters(List.of("skip-self", "var-subst", "require-sub", "build-id",
				"skip-users", "var-subst")))
			.containsExactly("var-subst", "build-id", "var-subst");
	}

	@Test
	void httpModifyAndHttpCheckAreNotImplementedSoNotContentFilters() {
		assertThat(ContentFilters.contentFilters(List.of("http-modify", "http-check", "no-such-filter"))).isEmpty();
		assertThat(ContentFilters.accepts(List.of("http-modify"), List.of("http-modify"))).isFalse();
	}

	@Test
	void withoutPublishedContentFiltersEverySubscriptionAccepts() {
		assertThat(ContentFilters.accepts(null, List.of())).isTrue();
		assertThat(ContentFilters.accepts(null, List.of("build-id", "var-subst"))).isTrue();
	}

	@Test
	void publishedContentFiltersMustEqualTheSubscriptionsExactly() {
		assertThat(ContentFilters.accepts(List.of("build-id"), DJANGO_FILTERS)).isTrue();
		assertThat(ContentFilters.accepts(List.of("build-id"), List.of("skip-users"))).isFalse();
		assertThat(ContentFilters.accepts(List.of(), List.of("skip-users", "require-sub"))).isTrue();
		assertThat(ContentFilters.accepts(List.of(), List.of("build-id"))).isFalse();
		assertThat(ContentFilters.accepts(List.of("build-id", "var-subst"), List.of("var-subst", "build-id")))
			.isFalse();
		assertThat(ContentFilters.accepts(List.of("build-id"), List.of("build-id", "var-subst"))).isFalse();
	}

	// build-id.

	@Test
	void djangoEventstreamSingleChannel() throws Exception {
		Map<String, String> meta = Map.of("id_format", "c1:%(events-c1)s", "user", "anonymous");
		assertThat(ContentFilters.apply(DJANGO_FILTERS, meta, Map.of("events-c1", "5"), DJANGO_EVENT))
			.isEqualTo(Content.utf8("event: message\nid: c1:5\ndata: x\n\n"));
	}

	@Test
	void djangoEventstreamSeveralChannels() throws Exception {
		Map<String, String> meta = Map.of("id_format", "c1:%(events-c1)s,c2:%(events-c2)s");
		assertThat(ContentFilters.apply(DJANGO_FILTERS, meta, Map.of("events-c1", "5", "events-c2", "9"), DJANGO_EVENT))
			.isEqualTo(Content.utf8("event: message\nid: c1:5,c2:9\ndata: x\n\n"));
	}

	@Test
	void buildIdUnescapesDoublePercent() throws Exception {
		// django-eventstream's build_id_escape doubles every % of the event type and data
		Content event = Content.utf8("event: message\nid: %I\ndata: 100%%\n\n");
		assertThat(ContentFilters.apply(DJANGO_FILTERS, Map.of("id_format", "c1:%(events-c1)s"),
				Map.of("events-c1", "5"), event))
			.isEqualTo(Content.utf8("event: message\nid: c1:5\ndata: 100%\n\n"));
	}

	@Test
	void buildIdInHex() throws Exception {
		Map<String, String> meta = Map.of("id_format", "c1:%(events-c1)s", "id_encoding", "hex");
		assertThat(ContentFilters.apply(DJANGO_FILTERS, meta, Map.of("events-c1", "5"), Content.utf8("id: %I")))
			.isEqualTo(Content.utf8("id: 63313a35"));
	}

	@Test
	void buildIdWithoutIdFormatFails() {
		assertFails(List.of("build-id"), Map.of(), Map.of("c", "1"), Content.utf8("no directive"), "build-id",
				"build-id: no sub meta 'id_format'");
	}

	@Test
	void buildIdWithAnotherEncodingFails() {
		assertFails(List.of("build-id"), Map.of("id_format", "%(c)s", "id_encoding", "base64"), Map.of("c", "1"),
				Content.utf8("%I"), "build-id", "build-id: unsupported encoding: base64");
		assertFails(List.of("build-id"), Map.of("id_format", "%(c)s", "id_encoding", ""), Map.of("c", "1"),
				Content.utf8("%I"), "build-id", "build-id: unsupported encoding: ");
	}

	@Test
	void buildIdForAChannelWithoutAnIdFailsEvenWithoutPercentI() {
		// Pushpin renders the id before it reads the content
		assertFails(DJANGO_FILTERS, Map.of("id_format", "c1:%(events-c1)s,c2:%(events-c2)s"),
				Map.of("events-c1", "5"), Content.utf8("no id here"), "build-id",
				"build-id: failed to render ID: No such variable 'events-c2' at position 32");
	}

	@Test
	void buildIdWithAStrayPercentInTheContentFails() {
		assertFails(DJANGO_FILTERS, Map.of("id_format", "c1:%(events-c1)s"), Map.of("events-c1", "5"),
				Content.utf8("data: 50% off\n\n"), "build-id", "build-id: Unknown directive ' ' at position 9");
	}

	// var-subst.

	@Test
	void varSubstReplacesNamesWithSubscriptionMeta() throws Exception {
		// Pushpin's filtertest.cpp messageFilters
		assertThat(ContentFilters.apply(List.of("skip-self", "var-subst"), Map.of("user", "alice"), Map.of(),
				Content.utf8("hello %(user)s, 100%%")))
			.isEqualTo(Content.utf8("hello alice, 100%"));
	}

	@Test
	void varSubstWithAMissingNameFails() {
		assertFails(List.of("var-subst"), Map.of(), Map.of(), Content.utf8("hello %(user)s"), "var-subst",
				"var-subst: No such variable 'user' at position 13");
	}

	@Test
	void varSubstKnowsOnlyNamedS() {
		assertFails(List.of("var-subst"), Map.of("user", "alice"), Map.of(), Content.utf8("%I"), "var-subst",
				"var-subst: Unknown directive 'I' at position 1");
		assertFails(List.of("var-subst"), Map.of("user", "alice"), Map.of(), Content.utf8("%s"), "var-subst",
				"var-subst: Directive 's' requires argument at position 1");
	}

	// Both, and what apply leaves alone.

	@Test
	void filtersApplyInSubscriptionOrder() throws Exception {
		Map<String, String> meta = Map.of("id_format", "%(c)s", "user", "alice");
		Content content = Content.utf8("id=%I user=%%(user)s");
		assertThat(ContentFilters.apply(List.of("build-id", "var-subst"), meta, Map.of("c", "5"), content))
			.isEqualTo(Content.utf8("id=5 user=alice"));
		assertFails(List.of("var-subst", "build-id"), meta, Map.of("c", "5"), content, "var-subst",
				"var-subst: Unknown directive 'I' at position 4");
	}

	@Test
	void withoutContentFiltersTheContentIsUntouched() throws Exception {
		Content content = Content.utf8("50% off %I");
		assertThat(ContentFilters.apply(List.of("skip-self", "require-sub", "http-modify"), Map.of(), Map.of(),
				content))
			.isSameAs(content);
	}

	@Test
	void contentWithoutPercentIsNotCopied() throws Exception {
		Content content = Content.utf8("plain");
		assertThat(ContentFilters.apply(List.of("build-id", "var-subst"), Map.of("id_format", "x"), Map.of(),
				content))
			.isSameAs(content);
	}

	// The initial response of a hold.

	@Test
	void responseBodyGetsBuildIdWithoutIds() throws Exception {
		List<List<String>> channels = List.of(List.of("skip-self"), DJANGO_FILTERS);
		Map<String, String> meta = Map.of("id_format", "c1:%(events-c1)s");
		assertThat(ContentFilters.applyToResponse(channels, meta, Content.utf8("data: 100%%, id: %(c1:4)I\n\n")))
			.isEqualTo(Content.utf8("data: 100%, id: c1:4\n\n"));
		assertThatExceptionOfType(ContentFilterException.class)
			.isThrownBy(() -> ContentFilters.applyToResponse(channels, meta, Content.utf8("id: %I")))
			.withMessage("build-id: No ID specified and no default ID in context at position 5");
	}

	@Test
	void responseBodyWithoutBuildIdOrEmptyIsUntouched() throws Exception {
		Content body = Content.utf8("50% off");
		assertThat(ContentFilters.applyToResponse(List.of(List.of("var-subst", "skip-self")), Map.of(), body))
			.isSameAs(body);
		assertThat(ContentFilters.applyToResponse(List.of(List.of("build-id")), Map.of(), Content.EMPTY))
			.isSameAs(Content.EMPTY);
	}

	private static void assertFails(List<String> filters, Map<String, String> meta, Map<String, String> ids,
			Content content, String filter, String message) {
		assertThatExceptionOfType(ContentFilterException.class)
			.isThrownBy(() -> ContentFilters.apply(filters, meta, ids, content))
			.withMessage(message)
			.satisfies((ex) -> assertThat(ex.filter()).isEqualTo(filter));
	}

}
