package io.gripway.publish.auth;

import java.security.PublicKey;
import java.util.Objects;

/**
 * What one publisher presents, in one of the forms GRIP client libraries send (grip-reference §7.2). Every
 * {@code toString} leaves the secret out, so a credential that reaches a log line or an exception message by mistake
 * does not leak.
 */
public sealed interface PublisherCredential {

	/** {@code Authorization: Bearer <JWT>}, HS256, with this {@code iss}; {@code key} is the decoded shared secret. */
	record SharedKeyJwt(String issuer, byte[] key) implements PublisherCredential {

		public SharedKeyJwt {
			Objects.requireNonNull(issuer, "issuer");
			key = key.clone();
		}

		@Override
		public String toString() {
			return "SharedKeyJwt[issuer=" + this.issuer + "]";
		}

	}

	/** {@code Authorization: Bearer <JWT>}, RS256 or ES256 (by the key's type), with this {@code iss}. */
	record PublicKeyJwt(String issuer, PublicKey key) implements PublisherCredential {

		public PublicKeyJwt {
			Objects.requireNonNull(issuer, "issuer");
			Objects.requireNonNull(key, "key");
		}

		@Override
		public String toString() {
			return "PublicKeyJwt[issuer=" + this.issuer + ", algorithm=" + this.key.getAlgorithm() + "]";
		}

	}

	/** {@code Authorization: Bearer <token>} with this literal token (a GRIP URL with {@code key} but no {@code iss}). */
	record Token(String token) implements PublisherCredential {

		public Token {
			Objects.requireNonNull(token, "token");
		}

		@Override
		public String toString() {
			return "Token[***]";
		}

	}

	/** {@code Authorization: Basic}, as sent for a GRIP URL with user info. */
	record Basic(String username, String password) implements PublisherCredential {

		public Basic {
			Objects.requireNonNull(username, "username");
			Objects.requireNonNull(password, "password");
		}

		@Override
		public String toString() {
			return "Basic[username=" + this.username + "]";
		}

	}

}
