package io.gripway.hold;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionFiltersTests {

	@Test
	void skipSelfDropsOnlyTheSendersOwnMessage() {
		List<String> filters = List.of("skip-self");
		assertThat(SubscriptionFilters.accepts(filters, Map.of("user", "alice"), Set.of("c"), Map.of("sender", "alice")))
			.isFalse();
		assertThat(SubscriptionFilters.accepts(filters, Map.of("user", "alice"), Set.of("c"), Map.of("sender", "bob")))
			.isTrue();
		assertThat(SubscriptionFilters.accepts(filters, Map.of(), Set.of("c"), Map.of("sender", "alice"))).isTrue();
	}

	@Test
	void skipUsersDropsListedUsers() {
		List<String> filters = List.of("skip-users");
		Map<String, String> published = Map.of("skip_users", "bob, carol");
		assertThat(SubscriptionFilters.accepts(filters, Map.of("user", "carol"), Set.of("c"), published)).isFalse();
		assertThat(SubscriptionFilters.accepts(filters, Map.of("user", "bob"), Set.of("c"), published)).isFalse();
		assertThat(SubscriptionFilters.accepts(filters, Map.of("user", "alice"), Set.of("c"), published)).isTrue();
		assertThat(SubscriptionFilters.accepts(filters, Map.of("user", "bob"), Set.of("c"), Map.of())).isTrue();
	}

	@Test
	void requireSubDeliversOnlyToSubscribersOfTheNamedChannel() {
		List<String> filters = List.of("require-sub");
		Map<String, String> published = Map.of("require_sub", "members");
		assertThat(SubscriptionFilters.accepts(filters, Map.of(), Set.of("chat", "members"), published)).isTrue();
		assertThat(SubscriptionFilters.accepts(filters, Map.of(), Set.of("chat"), published)).isFalse();
		assertThat(SubscriptionFilters.accepts(filters, Map.of(), Set.of("chat"), Map.of())).isTrue();
	}

	@Test
	void everyFilterMustAccept() {
		List<String> filters = List.of("skip-self", "require-sub");
		assertThat(SubscriptionFilters.accepts(filters, Map.of("user", "a"), Set.of("chat"),
				Map.of("sender", "b", "require_sub", "vip"))).isFalse();
	}

	@Test
	void unsupportedFiltersLetEverythingThrough() {
		assertThat(SubscriptionFilters.accepts(List.of("build-id"), Map.of(), Set.of(), Map.of())).isTrue();
	}

}
