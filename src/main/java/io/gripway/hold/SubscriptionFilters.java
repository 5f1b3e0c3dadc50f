package io.gripway.hold;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subscription-side filters of GRIP (reference §2.6): whether a published item reaches a subscriber, decided from
 * the subscriber's meta and channels and the item's publish meta. Other filter names let everything through here: the
 * ones that rewrite content ({@code build-id}, {@code var-subst}) act in {@link Hold#filtered}, unknown ones nowhere.
 */
final class SubscriptionFilters {

	static final String SKIP_SELF = "skip-self";

	static final String SKIP_USERS = "skip-users";

	static final String REQUIRE_SUB = "require-sub";

	private SubscriptionFilters() {
	}

	static boolean accepts(List<String> filters, Map<String, String> subscriberMeta, Set<String> subscriberChannels,
			Map<String, String> publishMeta) {
		for (String filter : filters) {
			if (!accepts(filter, subscriberMeta, subscriberChannels, publishMeta)) {
				return false;
			}
		}
		return true;
	}

	private static boolean accepts(String filter, Map<String, String> subscriberMeta, Set<String> subscriberChannels,
			Map<String, String> publishMeta) {
		switch (filter) {
			case SKIP_SELF: {
				String user = subscriberMeta.get("user");
				return user == null || !user.equals(publishMeta.get("sender"));
			}
			case SKIP_USERS: {
				String user = subscriberMeta.get("user");
				String skipUsers = publishMeta.get("skip_users");
				if (user == null || skipUsers == null) {
					return true;
				}
				for (String skipped : skipUsers.split(",")) {
					if (skipped.trim().equals(user)) {
						return false;
					}
				}
				return true;
			}
			case REQUIRE_SUB: {
				String required = publishMeta.get("require_sub");
				return required == null || subscriberChannels.contains(required);
			}
			default:
				return true;
		}
	}

}
