package io.gripway.publish.endpoint;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gripway.bus.BusReceiver;
import io.gripway.bus.MessageBus;
import io.gripway.publish.PublishItem;
import io.gripway.publish.auth.ChannelScope;
import io.gripway.publish.auth.PublisherCredential;
import io.gripway.publish.auth.PublisherIdentity;
import io.gripway.publish.auth.PublisherRegistration;
import io.gripway.test.NettyLeakCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The publish API behind its security chain ({@link PublishApi} with publishers), driven over real HTTP with tokens
 * made by an independent JWT implementation: each credential form, and each way of getting it wrong.
 */
@ExtendWith(NettyLeakCheck.class)
class PublishAuthIntegrationTests {

	static final String HS_KEY = "hs256-shared-key-of-32-bytes-at-least";

	static final String ONE_ITEM = "{\"items\": [{\"channel\": \"%s\", \"formats\": {\"http-stream\": {\"content\": \"hi\"}}}]}";

	static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	static final List<List<PublishItem>> published = new CopyOnWriteArrayList<>();

	static final AtomicInteger recoveries = new AtomicInteger();

	static KeyPair rsa;

	static KeyPair ec;

	static DisposableServer server;

	@BeforeAll
	static void start() throws Exception {
		KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
		rsaGenerator.initialize(2048);
		rsa = rsaGenerator.generateKeyPair();
		KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
		ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
		ec = ecGenerator.generateKeyPair();
		List<PublisherRegistration> publishers = List.of(
				registration("hs", List.of("app1:*", "exact"),
						new PublisherCredential.SharedKeyJwt("app1", HS_KEY.getBytes(StandardCharsets.UTF_8))),
				registration("rs", List.of(), new PublisherCredential.PublicKeyJwt("rs-iss", rsa.getPublic())),
				registration("es", List.of(), new PublisherCredential.PublicKeyJwt("es-iss", ec.getPublic())),
				registration("tok", List.of("t:*"), new PublisherCredential.Token("literal-token")),
				registration("basic", List.of(), new PublisherCredential.Basic("user", "pass")));
		PublishHandler handler = new PublishHandler(new Recording(), 1024, PublishListener.NONE,
				recoveries::incrementAndGet);
		server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(PublishApi.httpHandler(handler, publishers)))
			.bindNow(Duration.ofSeconds(10));
	}

	@AfterAll
	static void stop() {
		server.disposeNow();
	}

	static PublisherRegistration registration(String name, List<String> channels, PublisherCredential credential) {
		return new PublisherRegistration(new PublisherIdentity(name, new ChannelScope(channels)), credential);
	}

	@Test
	void hs256JwtWithIssAndExpPublishes() throws Exception {
		assertThat(publish("Bearer " + jwt(new MACSigner(HS_KEY.getBytes(StandardCharsets.UTF_8)),
				JWSAlgorithm.HS256, "app1", in(600)), "app1:a").statusCode()).isEqualTo(200);
	}

	@Test
	void rs256AndEs256JwtsPublish() throws Exception {
		assertThat(publish("Bearer " + jwt(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, "rs-iss", in(600)),
				"any").statusCode()).isEqualTo(200);
		assertThat(publish("Bearer " + jwt(new ECDSASigner((java.security.interfaces.ECPrivateKey) ec.getPrivate()),
				JWSAlgorithm.ES256, "es-iss", in(600)), "any").statusCode()).isEqualTo(200);
	}

	@Test
	void wrongKeyIsRefusedWith401AndABearerChallenge() throws Exception {
		HttpResponse<String> response = publish("Bearer " + jwt(
				new MACSigner("some-other-key-of-32-bytes-or-more!!".getBytes(StandardCharsets.UTF_8)),
				JWSAlgorithm.HS256, "app1", in(600)), "app1:a");
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().allValues("WWW-Authenticate")).anySatisfy(
				(challenge) -> assertThat(challenge).startsWith("Bearer realm=\"gripway\", error=\"invalid_token\""))
			.contains("Basic realm=\"gripway\", charset=\"UTF-8\"");
		assertThat(response.body()).startsWith("Unauthorized: ").endsWith(".\n");
	}

	@Test
	void expiredTokenIsRefusedWith401() throws Exception {
		HttpResponse<String> response = publish("Bearer " + jwt(new MACSigner(HS_KEY.getBytes(StandardCharsets.UTF_8)),
				JWSAlgorithm.HS256, "app1", in(-600)), "app1:a");
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.body()).contains("expired");
	}

	@Test
	void tokenWithoutExpIsRefused() throws Exception {
		assertThat(publish("Bearer " + jwt(new MACSigner(HS_KEY.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256,
				"app1", null), "app1:a").statusCode()).isEqualTo(401);
	}

	@Test
	void unknownIssuerIsRefused() throws Exception {
		assertThat(publish("Bearer " + jwt(new MACSigner(HS_KEY.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256,
				"someone-else", in(600)), "app1:a").statusCode()).isEqualTo(401);
	}

	@Test
	void missingHeaderIsRefusedWith401AndBothChallenges() throws Exception {
		HttpResponse<String> response = publish(null, "x");
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"gripway\"",
				"Basic realm=\"gripway\", charset=\"UTF-8\"");
		assertThat(response.body()).isEqualTo("Unauthorized: credentials required.\n");
		HttpResponse<String> json = client.send(HttpRequest.newBuilder(uri("/publish/"))
			.header("Accept", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(ONE_ITEM.formatted("x")))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(json.body()).isEqualTo("{\"message\": \"Unauthorized: credentials required.\"}\n");
	}

	@Test
	void literalTokenAndBasicPublish() throws Exception {
		assertThat(publish("Bearer literal-token", "t:1").statusCode()).isEqualTo(200);
		assertThat(publish("Bearer literal-token-2", "t:1").statusCode()).isEqualTo(401);
		assertThat(publish(basic("user", "pass"), "x").statusCode()).isEqualTo(200);
		assertThat(publish(basic("user", "wrong"), "x").statusCode()).isEqualTo(401);
		assertThat(publish(basic("other", "pass"), "x").statusCode()).isEqualTo(401);
	}

	@Test
	void channelOutOfScopeIsRefusedWith403NamingIt() throws Exception {
		int before = published.size();
		String body = "{\"items\": [{\"channel\": \"t:ok\", \"formats\": {\"http-stream\": {\"content\": \"1\"}}},"
				+ " {\"channel\": \"app1:no\", \"formats\": {\"http-stream\": {\"content\": \"2\"}}}]}";
		HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/publish/"))
			.header("Authorization", "Bearer literal-token")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(response.body()).isEqualTo("Forbidden: publisher 'tok' may not publish to channel 'app1:no'.\n");
		assertThat(published).hasSize(before);
	}

	@Test
	void recoverNeedsAnUnrestrictedPublisher() throws Exception {
		int before = recoveries.get();
		assertThat(post("/recover", "Bearer literal-token").statusCode()).isEqualTo(403);
		assertThat(post("/recover", null).statusCode()).isEqualTo(401);
		assertThat(recoveries.get()).isEqualTo(before);
		HttpResponse<String> allowed = post("/recover", basic("user", "pass"));
		assertThat(allowed.statusCode()).isEqualTo(200);
		assertThat(allowed.body()).isEqualTo("Updated\n");
		assertThat(recoveries.get()).isEqualTo(before + 1);
	}

	@Test
	void unusableCredentialsAreRefusedAtStartNamingThePublisherOnly() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PublishApi.httpHandler(new PublishHandler(new Recording(), 10),
					List.of(registration("short", List.of(),
							new PublisherCredential.SharedKeyJwt("i", "short-secret".getBytes(StandardCharsets.UTF_8))))))
			.withMessageContaining("'short'")
			.withMessageNotContaining("short-secret");
	}

	static HttpResponse<String> publish(String authorization, String channel) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri("/publish/"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(ONE_ITEM.formatted(channel)));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	static HttpResponse<String> post(String path, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody());
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	static URI uri(String path) {
		return URI.create("http://127.0.0.1:" + server.port() + path);
	}

	static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	static Instant in(long seconds) {
		return Instant.now().plusSeconds(seconds);
	}

	/** As js-grip signs: {@code iss} and {@code exp} only. */
	static String jwt(JWSSigner signer, JWSAlgorithm algorithm, String issuer, Instant expires) throws Exception {
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer);
		if (expires != null) {
			claims.expirationTime(Date.from(expires));
		}
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).build(), claims.build());
		jwt.sign(signer);
		return jwt.serialize();
	}

	static final class Recording implements MessageBus {

		@Override
		public void recover() {
		}

		@Override
		public Mono<Void> publish(List<PublishItem> items) {
			return Mono.fromRunnable(() -> published.add(items));
		}

		@Override
		public void start(BusReceiver receiver) {
		}

		@Override
		public void subscribe(String channel) {
		}

		@Override
		public void unsubscribe(String channel) {
		}

		@Override
		public boolean isAvailable() {
			return true;
		}

	}

}
