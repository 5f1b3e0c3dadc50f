package io.gripway.signing;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes the {@code Grip-Sig} header: an HS256 JWT with {@code iss} and {@code exp} one hour ahead, as Pushpin signs
 * (reference §5.1), so origins and GRIP libraries that validate Pushpin's signature accept Gripway's.
 *
 * <p>
 * A token is made once and reused until less than {@link #REFRESH_BEFORE_EXPIRY} of its hour is left: signing every
 * proxied request would cost an HMAC each, and the claims are the same for all of them.
 *
 * <h3>Thread safety</h3> Safe for concurrent use: the cached token is an immutable value in a volatile field; two
 * threads may both refresh it at the turn of the hour, which is harmless.
 */
public final class GripSigner {

	/** How long a token is valid. */
	public static final Duration LIFETIME = Duration.ofHours(1);

	/** A cached token is replaced once less than this is left of its lifetime. */
	public static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(10);

	private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

	private static final String HEADER = BASE64URL
		.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

	private record Token(String value, long expiresAtSeconds) {
	}

	private final byte[] key;

	private final String issuer;

	private final Clock clock;

	private volatile Token current = new Token("", 0);

	/**
	 * @param key the secret: plain text, or {@code base64:<standard base64>} as in Pushpin's {@code sig_key}
	 * @param issuer the {@code iss} claim ({@code pushpin} for drop-in compatibility)
	 */
	public GripSigner(String key, String issuer, Clock clock) {
		this.key = decodeKey(key);
		this.issuer = issuer;
		this.clock = clock;
	}

	static byte[] decodeKey(String key) {
		if (key.startsWith("base64:")) {
			return Base64.getDecoder().decode(key.substring("base64:".length()));
		}
		return key.getBytes(StandardCharsets.UTF_8);
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
		String claims = "{\"iss\":\"" + escapeJson(this.issuer) + "\",\"exp\":" + expiresAtSeconds + "}";
		String signingInput = HEADER + "." + BASE64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(this.key, "HmacSHA256"));
			byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
			return new Token(signingInput + "." + BASE64URL.encodeToString(signature), expiresAtSeconds);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

	private static String escapeJson(String value) {
		StringBuilder escaped = new StringBuilder(value.length());
		for (char c : value.toCharArray()) {
			if (c == '"' || c == '\\') {
				escaped.append('\\').append(c);
			}
			else if (c < 0x20) {
				escaped.append(String.format("\\u%04x", (int) c));
			}
			else {
				escaped.append(c);
			}
		}
		return escaped.toString();
	}

}
