package io.gripway.signing;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.impl.HMAC;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Makes the {@code Grip-Sig} header: an HS256 JWT with {@code iss} and {@code exp} one hour ahead, as Pushpin signs
 * (reference §5.1), so origins and GRIP libraries that validate Pushpin's signature accept Gripway's. The token is
 * built and signed by Nimbus JOSE+JWT.
 *
 * <p>
 * A token is made once and reused until less than {@link #REFRESH_BEFORE_EXPIRY} of its hour is left: signing every
 * proxied request would cost an HMAC each, and the claims are the same for all of them.
 *
 * <h3>Short keys</h3> RFC 7518 (§3.2) asks for an HS256 key of at least 256 bits, and Nimbus's {@link MACSigner}
 * refuses shorter ones. Pushpin signs with whatever {@code sig_key} it is given, and origins hold that same key, so a
 * shorter key is still used (with Nimbus's HMAC), after a warning at start-up.
 *
 * <h3>Thread safety</h3> Safe for concurrent use: the cached token is an immutable value in a volatile field; two
 * threads may both refresh it at the turn of the hour, which is harmless.
 */
public final class GripSigner {

	/** How long a token is valid. */
	public static final Duration LIFETIME = Duration.ofHours(1);

	/** A cached token is replaced once less than this is left of its lifetime. */
	public static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(10);

	/** RFC 7518's minimum HS256 key, which {@link MACSigner} enforces. */
	static final int MIN_KEY_BYTES = 32;

	private static final Log logger = LogFactory.getLog(GripSigner.class);

	private static final JWSHeader HEADER = new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build();

	private record Token(String value, long expiresAtSeconds) {
	}

	private final JWSSigner signer;

	private final String issuer;

	private final Clock clock;

	private volatile Token current = new Token("", 0);

	/**
	 * @param key the secret: plain text, or {@code base64:<standard base64>} as in Pushpin's {@code sig_key}
	 * @param issuer the {@code iss} claim ({@code pushpin} for drop-in compatibility)
	 * @throws IllegalArgumentException if the key is not valid base64 or is empty once decoded
	 */
	public GripSigner(String key, String issuer, Clock clock) {
		this.signer = signer(decodeKey(key));
		this.issuer = issuer;
		this.clock = clock;
	}

	static byte[] decodeKey(String key) {
		byte[] secret;
		if (key.startsWith("base64:")) {
			try {
				secret = Base64.getDecoder().decode(key.substring("base64:".length()));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("gripway.signing.key: 'base64:' must be followed by standard base64 ("
						+ ex.getMessage() + ")", ex);
			}
		}
		else {
			secret = key.getBytes(StandardCharsets.UTF_8);
		}
		if (secret.length == 0) {
			// an empty HMAC key cannot sign: every proxied request would fail instead of start-up
			throw new IllegalArgumentException("gripway.signing.key must not be empty once decoded");
		}
		return secret;
	}

	private static JWSSigner signer(byte[] secret) {
		if (secret.length >= MIN_KEY_BYTES) {
			try {
				return new MACSigner(secret);
			}
			catch (JOSEException ex) {
				throw new IllegalStateException(ex);
			}
		}
		logger.warn("gripway.signing.key is " + secret.length + " bytes; RFC 7518 asks for at least 32 for HS256. "
				+ "Signing with it anyway, as Pushpin does.");
		return new ShortKeySigner(secret);
	}

	/** The current token for {@code Grip-Sig}. */
	public String token() {
		long now = this.clock.millis() / 1000;
		Token token = this.current;
		if (token.expiresAtSeconds() - now < REFRESH_BEFORE_EXPIRY.toSeconds()) {
			token = sign(now + LIFETIME.toSeconds());
			this.current = token;
		}
		return token.value();
	}

	private Token sign(long expiresAtSeconds) {
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(this.issuer)
			.expirationTime(new Date(expiresAtSeconds * 1000))
			.build();
		SignedJWT jwt = new SignedJWT(HEADER, claims);
		try {
			jwt.sign(this.signer);
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("could not sign Grip-Sig", ex);
		}
		return new Token(jwt.serialize(), expiresAtSeconds);
	}

	/** HS256 with a key shorter than {@link MACSigner} accepts: Nimbus's HMAC, without the length check. */
	private static final class ShortKeySigner implements JWSSigner {

		private final byte[] secret;

		private final JCAContext context = new JCAContext();

		ShortKeySigner(byte[] secret) {
			this.secret = secret;
		}

		@Override
		public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
			return Base64URL.encode(HMAC.compute("HmacSHA256", this.secret, signingInput, this.context.getProvider()));
		}

		@Override
		public Set<JWSAlgorithm> supportedJWSAlgorithms() {
			return Set.of(JWSAlgorithm.HS256);
		}

		@Override
		public JCAContext getJCAContext() {
			return this.context;
		}

	}

}
