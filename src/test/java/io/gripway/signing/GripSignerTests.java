package io.gripway.signing;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class GripSignerTests {

	static final String KEY = "a-secret-of-at-least-thirty-two-bytes!";

	static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

	@Test
	void tokenIsHs256WithIssuerAndAnHourOfValidity() throws Exception {
		GripSigner signer = new GripSigner(KEY, "pushpin", Clock.fixed(NOW, ZoneOffset.UTC));
		SignedJWT jwt = SignedJWT.parse(signer.token());
		assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
		assertThat(jwt.verify(new MACVerifier(KEY.getBytes(StandardCharsets.UTF_8)))).isTrue();
		assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("pushpin");
		assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(NOW.plusSeconds(3600));
	}

	@Test
	void base64KeyIsDecoded() throws Exception {
		String encoded = Base64.getEncoder().encodeToString(KEY.getBytes(StandardCharsets.UTF_8));
		GripSigner signer = new GripSigner("base64:" + encoded, "gripway", Clock.fixed(NOW, ZoneOffset.UTC));
		SignedJWT jwt = SignedJWT.parse(signer.token());
		assertThat(jwt.verify(new MACVerifier(KEY.getBytes(StandardCharsets.UTF_8)))).isTrue();
		assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("gripway");
	}

	@Test
	void shortKeysSignAsPushpinDoes() throws Exception {
		// Pushpin's sample sig_key; below RFC 7518's 32 bytes, which Nimbus's own MACVerifier would refuse
		String key = "changeme";
		GripSigner signer = new GripSigner(key, "pushpin", Clock.fixed(NOW, ZoneOffset.UTC));
		String[] parts = signer.token().split("\\.");
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
		assertThat(Base64.getUrlDecoder().decode(parts[2])).isEqualTo(expected);
		assertThat(SignedJWT.parse(signer.token()).getJWTClaimsSet().getIssuer()).isEqualTo("pushpin");
	}

	@Test
	void issuerIsEscapedAsJson() throws Exception {
		String issuer = "a \"quoted\" \\ issuer\u0001 ü \u2028";
		SignedJWT jwt = SignedJWT.parse(new GripSigner(KEY, issuer, Clock.fixed(NOW, ZoneOffset.UTC)).token());
		assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(issuer);
		assertThat(jwt.getHeader().getType()).hasToString("JWT");
	}

	@Test
	void keyThatIsEmptyOnceDecodedFailsAtStartUpNotOnEveryRequest() {
		assertThatIllegalArgumentException().isThrownBy(() -> new GripSigner("base64:", "pushpin", Clock.systemUTC()))
			.withMessageContaining("gripway.signing.key");
	}

	@Test
	void keyThatIsNotBase64NamesTheSetting() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new GripSigner("base64:not*base64", "pushpin", Clock.systemUTC()))
			.withMessageContaining("gripway.signing.key");
	}

	@Test
	void tokenIsReusedThenRenewedBeforeItExpires() {
		MutableClock clock = new MutableClock(NOW);
		GripSigner signer = new GripSigner(KEY, "pushpin", clock);
		String first = signer.token();
		clock.now = NOW.plus(Duration.ofMinutes(30));
		assertThat(signer.token()).isEqualTo(first);
		clock.now = NOW.plus(Duration.ofMinutes(51));
		assertThat(signer.token()).isNotEqualTo(first);
	}

	static final class MutableClock extends Clock {

		Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
