package io.gripway.publish.auth;

import java.util.Objects;

/**
 * One configured publisher: who it is once authenticated, and how it proves it.
 *
 * @param identity its name and channel scope
 * @param credential what it presents
 */
public record PublisherRegistration(PublisherIdentity identity, PublisherCredential credential) {

	public PublisherRegistration {
		Objects.requireNonNull(identity, "identity");
		Objects.requireNonNull(credential, "credential");
	}

}
