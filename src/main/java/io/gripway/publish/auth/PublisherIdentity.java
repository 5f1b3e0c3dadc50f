package io.gripway.publish.auth;

import java.util.Objects;

import io.gripway.app.ChannelNamespace;

/**
 * An authenticated publisher: its configured name (safe to log, never a credential), what it may publish to, and the
 * namespace its channel names are in.
 *
 * @param name the {@code name} it was configured with
 * @param scope the channels it may publish to, named as the publisher names them (without its namespace's prefix)
 * @param namespace its application's channel namespace ({@code gripway.apps[N].publishers}), or
 * {@link ChannelNamespace#NONE} for {@code gripway.publish.auth.publishers}
 */
public record PublisherIdentity(String name, ChannelScope scope, ChannelNamespace namespace) {

	public PublisherIdentity {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(scope, "scope");
		Objects.requireNonNull(namespace, "namespace");
	}

	/** A publisher outside {@code gripway.apps}: it names channels as they are on the bus. */
	public PublisherIdentity(String name, ChannelScope scope) {
		this(name, scope, ChannelNamespace.NONE);
	}

}
