package io.gripway.publish.auth;

import java.util.Objects;

/**
 * An authenticated publisher: its configured name (safe to log, never a credential) and what it may publish to.
 *
 * @param name the {@code name} it was configured with
 * @param scope the channels it may publish to
 */
public record PublisherIdentity(String name, ChannelScope scope) {

	public PublisherIdentity {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(scope, "scope");
	}

}
