package io.gripway.publish.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTParser;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtReactiveAuthenticationManager;

/**
 * Spring Security authentication managers for the configured publishers: one for {@code Authorization: Bearer}
 * (literal tokens, then JWTs routed by their {@code iss} to that publisher's Nimbus decoder) and one for Basic.
 *
 * <p>
 * Secrets are compared in constant time, over SHA-256 digests so that not even their lengths show, and every
 * candidate is compared so the time does not say which one matched. Literal tokens and Basic passwords are kept only
 * as digests. JWT signatures, {@code exp} (required; 60 s of clock skew) and {@code iss} are checked by Spring
 * Security's {@link NimbusReactiveJwtDecoder}, not here.
 *
 * <h3>Thread safety</h3> Immutable once built; the managers are shared by every request.
 */
public final class PublisherAuthenticationManagers {

	/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash. */
	static final int MIN_HS256_KEY_BYTES = 32;

	private final List<Secret> tokens = new ArrayList<>();

	private final List<Login> logins = new ArrayList<>();

	private final Map<String, ReactiveAuthenticationManager> jwtByIssuer = new HashMap<>();

	/**
	 * @throws IllegalArgumentException for a key that cannot be used (too short, unsupported curve) or an issuer, token
	 * or username given to two publishers; the message names the publisher, never the secret
	 */
	public PublisherAuthenticationManagers(List<PublisherRegistration> registrations) {
		for (PublisherRegistration registration : registrations) {
			PublisherIdentity identity = registration.identity();
			PublisherCredential credential = registration.credential();
			if (credential instanceof PublisherCredential.Token token) {
				Secret secret = new Secret(digest(token.token()), identity);
				if (this.tokens.stream().anyMatch((other) -> MessageDigest.isEqual(other.digest, secret.digest))) {
					throw new IllegalArgumentException(
							"Publisher '" + identity.name() + "' has the same token as another publisher");
				}
				this.tokens.add(secret);
			}
			else if (credential instanceof PublisherCredential.Basic basic) {
				if (this.logins.stream().anyMatch((other) -> other.username.equals(basic.username()))) {
					throw new IllegalArgumentException("Publisher '" + identity.name() + "' has the same username as"
							+ " another publisher");
				}
				this.logins.add(new Login(basic.username(), digest(basic.username()), digest(basic.password()),
						identity));
			}
			else {
				String issuer = (credential instanceof PublisherCredential.SharedKeyJwt shared) ? shared.issuer()
						: ((PublisherCredential.PublicKeyJwt) credential).issuer();
				if (this.jwtByIssuer.containsKey(issuer)) {
					throw new IllegalArgumentException("Publisher '" + identity.name() + "' has iss '" + issuer
							+ "', which another publisher has already: each iss selects one key");
				}
				this.jwtByIssuer.put(issuer, jwtManager(identity, credential, issuer));
			}
		}
	}

	/** Whether some publisher sends {@code Authorization: Bearer}. */
	public boolean hasBearer() {
		return !this.tokens.isEmpty() || !this.jwtByIssuer.isEmpty();
	}

	/** Whether some publisher sends {@code Authorization: Basic}. */
	public boolean hasBasic() {
		return !this.logins.isEmpty();
	}

	/** Authenticates a {@link BearerTokenAuthenticationToken}: a literal token first, then a JWT by its issuer. */
	public ReactiveAuthenticationManager bearer() {
		return this::authenticateBearer;
	}

	/** Authenticates a {@link UsernamePasswordAuthenticationToken} from Basic. */
	public ReactiveAuthenticationManager basic() {
		return this::authenticateBasic;
	}

	private Mono<Authentication> authenticateBearer(Authentication authentication) {
		if (!(authentication instanceof BearerTokenAuthenticationToken bearer)) {
			return Mono.empty();
		}
		String token = bearer.getToken();
		byte[] presented = digest(token);
		PublisherIdentity literal = null;
		for (Secret secret : this.tokens) {
			// no early exit: every token is compared
			if (MessageDigest.isEqual(secret.digest, presented) && literal == null) {
				literal = secret.identity;
			}
		}
		if (literal != null) {
			return Mono.just(new PublisherAuthentication(literal));
		}
		String issuer = issuer(token);
		ReactiveAuthenticationManager jwt = (issuer != null) ? this.jwtByIssuer.get(issuer) : null;
		if (jwt == null) {
			// The token is not echoed: it may be a secret meant for another service.
			return Mono.error(new InvalidBearerTokenException((issuer != null) ? "Unknown issuer"
					: "Not a known token, nor a JWT with an iss claim"));
		}
		return jwt.authenticate(bearer);
	}

	private Mono<Authentication> authenticateBasic(Authentication authentication) {
		if (!(authentication instanceof UsernamePasswordAuthenticationToken login)) {
			return Mono.empty();
		}
		byte[] username = digest(Objects.toString(login.getName(), ""));
		byte[] password = digest(Objects.toString(login.getCredentials(), ""));
		PublisherIdentity matched = null;
		for (Login candidate : this.logins) {
			// both compared, always, for every candidate; & rather than && on purpose
			boolean match = MessageDigest.isEqual(candidate.usernameDigest, username)
					& MessageDigest.isEqual(candidate.passwordDigest, password);
			if (match && matched == null) {
				matched = candidate.identity;
			}
		}
		return (matched != null) ? Mono.just(new PublisherAuthentication(matched))
				: Mono.error(new BadCredentialsException("Invalid username or password"));
	}

	/** The unverified {@code iss}, only to pick the key; the decoder then checks the signature and the claim. */
	private static @Nullable String issuer(String token) {
		try {
			return JWTParser.parse(token).getJWTClaimsSet().getIssuer();
		}
		catch (ParseException ex) {
			return null;
		}
	}

	private static ReactiveAuthenticationManager jwtManager(PublisherIdentity identity,
			PublisherCredential credential, String issuer) {
		NimbusReactiveJwtDecoder decoder;
		if (credential instanceof PublisherCredential.SharedKeyJwt shared) {
			if (shared.key().length < MIN_HS256_KEY_BYTES) {
				throw new IllegalArgumentException("Publisher '" + identity.name() + "': an HS256 key must be at least "
						+ MIN_HS256_KEY_BYTES + " bytes (RFC 7518 section 3.2); was " + shared.key().length);
			}
			decoder = NimbusReactiveJwtDecoder.withSecretKey(new SecretKeySpec(shared.key(), "HmacSHA256"))
				.macAlgorithm(MacAlgorithm.HS256)
				.build();
		}
		else {
			PublisherCredential.PublicKeyJwt pub = (PublisherCredential.PublicKeyJwt) credential;
			if (pub.key() instanceof RSAPublicKey rsa) {
				decoder = NimbusReactiveJwtDecoder.withPublicKey(rsa).signatureAlgorithm(SignatureAlgorithm.RS256).build();
			}
			else if (pub.key() instanceof ECPublicKey ec) {
				Curve curve = Curve.forECParameterSpec(ec.getParams());
				SignatureAlgorithm algorithm = (curve == null) ? null : ecAlgorithm(curve);
				if (algorithm == null) {
					throw new IllegalArgumentException("Publisher '" + identity.name()
							+ "': the EC public key's curve is not P-256, P-384 or P-521");
				}
				JWK jwk = new ECKey.Builder(curve, ec).build();
				decoder = NimbusReactiveJwtDecoder.withJwkSource((jwt) -> Flux.just(jwk)).jwsAlgorithm(algorithm).build();
			}
			else {
				throw new IllegalArgumentException(
						"Publisher '" + identity.name() + "': public-key must be an RSA or EC key");
			}
		}
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<Jwt>(new JwtTimestampValidator(),
				new JwtIssuerValidator(issuer),
				// GRIP libraries always send exp (now + 10 min); a token without one would never expire
				new JwtClaimValidator<@Nullable Instant>(JwtClaimNames.EXP, Objects::nonNull)));
		JwtReactiveAuthenticationManager manager = new JwtReactiveAuthenticationManager(decoder);
		manager.setJwtAuthenticationConverter((jwt) -> Mono.just(new PublisherAuthentication(identity)));
		return manager;
	}

	private static @Nullable SignatureAlgorithm ecAlgorithm(Curve curve) {
		if (Curve.P_256.equals(curve)) {
			return SignatureAlgorithm.ES256;
		}
		if (Curve.P_384.equals(curve)) {
			return SignatureAlgorithm.ES384;
		}
		return Curve.P_521.equals(curve) ? SignatureAlgorithm.ES512 : null;
	}

	static byte[] digest(String secret) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	}

	private record Secret(byte[] digest, PublisherIdentity identity) {
	}

	private record Login(String username, byte[] usernameDigest, byte[] passwordDigest, PublisherIdentity identity) {
	}

}
