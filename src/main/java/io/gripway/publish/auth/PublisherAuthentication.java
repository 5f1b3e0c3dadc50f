package io.gripway.publish.auth;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A publish request that proved it comes from {@link #getPrincipal() a configured publisher}. It keeps no
 * credential: what was presented is dropped once checked, so nothing downstream can log it.
 */
public final class PublisherAuthentication extends AbstractAuthenticationToken {

	private static final long serialVersionUID = 1L;

	private final PublisherIdentity publisher;

	public PublisherAuthentication(PublisherIdentity publisher) {
		super(List.of());
		this.publisher = publisher;
		setAuthenticated(true);
	}

	@Override
	public PublisherIdentity getPrincipal() {
		return this.publisher;
	}

	/** Always {@code null}: the credential is not kept. */
	@Override
	public Object getCredentials() {
		return null;
	}

	@Override
	public String getName() {
		return this.publisher.name();
	}

}
