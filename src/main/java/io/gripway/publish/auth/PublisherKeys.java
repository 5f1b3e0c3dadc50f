package io.gripway.publish.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads keys the way a {@code GRIP_URL} and Pushpin write them. Pure: no Spring, no I/O.
 */
public final class PublisherKeys {

	private static final String BASE64 = "base64:";

	private PublisherKeys() {
	}

	/**
	 * A shared secret: plain text (its UTF-8 bytes), or {@code base64:<standard base64>} as in a {@code GRIP_URL}'s
	 * {@code key} and Pushpin's {@code sig_key}.
	 * @throws IllegalArgumentException when the base64 is malformed
	 */
	public static byte[] sharedKey(String key) {
		if (key.startsWith(BASE64)) {
			try {
				return Base64.getDecoder().decode(key.substring(BASE64.length()).trim());
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("key 'base64:...' is not valid base64", ex);
			}
		}
		return key.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * A PEM public key ({@code -----BEGIN PUBLIC KEY-----}, SPKI), RSA or EC.
	 * @throws IllegalArgumentException when it is not one
	 */
	public static PublicKey publicKey(String pem) {
		String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
		byte[] der;
		try {
			der = Base64.getDecoder().decode(body);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("public-key is not a PEM public key (-----BEGIN PUBLIC KEY-----)", ex);
		}
		X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
		for (String algorithm : new String[] { "RSA", "EC" }) {
			try {
				return KeyFactory.getInstance(algorithm).generatePublic(spec);
			}
			catch (GeneralSecurityException ex) {
				// try the next algorithm
			}
		}
		throw new IllegalArgumentException("public-key is neither an RSA nor an EC public key in PEM (SPKI) form");
	}

}
