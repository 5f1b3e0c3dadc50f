package io.gripway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gripway.test.FreePorts;
import io.gripway.test.GripwayInstance;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** Non-GRIP traffic passes through untouched; what the origin receives is the client's request, cleaned and signed. */
class PassthroughIntegrationTests {

	static final String SIGNING_KEY = "a-secret-of-at-least-thirty-two-bytes!";

	static TestOrigin origin;

	static GripwayInstance gripway;

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		origin.route("/plain", (request, response) -> response.header("X-Origin", "yes")
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("hello from origin\n")));
		origin.route("/echo", (request, response) -> response.header("Content-Type", "text/plain")
			.sendString(Mono.just(origin.lastReceived().method() + " " + origin.lastReceived().uri() + " "
					+ origin.lastReceived().bodyText())));
		origin.route("/chunked", (request, response) -> response.header("Content-Type", "application/octet-stream")
			.send(Flux.range(0, 64).map(i -> response.alloc().buffer(16 * 1024).writeBytes(block(i)))));
		origin.route("/nocontent", (request, response) -> response.status(204).send());
		origin.route("/notmodified", (request, response) -> response.status(304).header("ETag", "\"v1\"").send());
		origin.route("/slow", (request, response) -> Mono.delay(Duration.ofSeconds(3)).then(response.sendString(Mono.just("late")).then()));
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.signing.key=" + SIGNING_KEY,
				"spring.cloud.gateway.server.webflux.httpclient.response-timeout=1s");
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	static byte[] block(int index) {
		byte[] bytes = new byte[16 * 1024];
		Arrays.fill(bytes, (byte) ('a' + index % 26));
		return bytes;
	}

	HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
		return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	URI proxy(String path) {
		return URI.create(gripway.proxyUrl() + path);
	}

	@Test
	void plainResponsePassesThroughWithStatusHeadersAndBody() throws Exception {
		HttpResponse<byte[]> response = send(HttpRequest.newBuilder(proxy("/plain")));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Origin")).hasValue("yes");
		assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("hello from origin\n");
	}

	@Test
	void methodPathQueryAndBodyReachTheOrigin() throws Exception {
		HttpResponse<byte[]> response = send(HttpRequest.newBuilder(proxy("/echo?a=1&b=two"))
			.method("PUT", HttpRequest.BodyPublishers.ofString("payload")));
		assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("PUT /echo?a=1&b=two payload");
	}

	@Test
	void largeChunkedBodyIsStreamedThroughIntact() throws Exception {
		HttpResponse<byte[]> response = send(HttpRequest.newBuilder(proxy("/chunked")));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).hasSize(64 * 16 * 1024);
		for (int i = 0; i < 64; i++) {
			assertThat(Arrays.copyOfRange(response.body(), i * 16 * 1024, (i + 1) * 16 * 1024)).isEqualTo(block(i));
		}
	}

	@Test
	void headAnd204And304PassThrough() throws Exception {
		HttpResponse<byte[]> head = send(HttpRequest.newBuilder(proxy("/plain")).method("HEAD",
				HttpRequest.BodyPublishers.noBody()));
		assertThat(head.statusCode()).isEqualTo(200);
		assertThat(head.body()).isEmpty();
		assertThat(origin.lastReceived().method()).isEqualTo("HEAD");
		assertThat(send(HttpRequest.newBuilder(proxy("/nocontent"))).statusCode()).isEqualTo(204);
		HttpResponse<byte[]> notModified = send(HttpRequest.newBuilder(proxy("/notmodified")));
		assertThat(notModified.statusCode()).isEqualTo(304);
		assertThat(notModified.headers().firstValue("ETag")).hasValue("\"v1\"");
	}

	@Test
	void clientGripHeadersNeverReachTheOrigin() throws Exception {
		send(HttpRequest.newBuilder(proxy("/plain"))
			.header("Grip-Last", "ch; last-id=1")
			.header("grip-sig", "forged")
			.header("X-Kept", "1"));
		TestOrigin.Received received = origin.lastReceived();
		assertThat(received.headers().get("Grip-Last")).isNull();
		assertThat(received.headers().getAll("Grip-Sig")).as("only Gripway's own signature").hasSize(1);
		assertThat(SignedJWT.parse(received.headers().get("Grip-Sig"))
			.verify(new MACVerifier(SIGNING_KEY.getBytes(StandardCharsets.UTF_8)))).isTrue();
		assertThat(received.headers().get("X-Kept")).isEqualTo("1");
		assertThat(received.headers().get("Grip-Feature")).contains("filter:skip-self");
	}

	@Test
	void forgedGripSigNeverReachesTheOriginWhenSigningIsOff() throws Exception {
		// with signing on, Gripway's own signature would replace a forged one anyway: only signing off shows that a
		// client's Grip-Sig is dropped, so the origin cannot take it for Gripway's
		try (GripwayInstance unsigned = GripwayInstance.start("gripway.origin=" + origin.url())) {
			client.send(HttpRequest.newBuilder(URI.create(unsigned.proxyUrl() + "/plain"))
				.header("Grip-Sig", "forged")
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
			TestOrigin.Received received = origin.lastReceived();
			assertThat(received.uri()).isEqualTo("/plain");
			assertThat(received.headers().contains("Grip-Sig")).isFalse();
		}
	}

	@Test
	void originRequestsCarryForwardedHeaders() throws Exception {
		send(HttpRequest.newBuilder(proxy("/plain")));
		TestOrigin.Received received = origin.lastReceived();
		assertThat(received.headers().get("X-Forwarded-For")).contains("127.0.0.1");
		assertThat(received.headers().get("X-Forwarded-Proto")).isEqualTo("http");
	}

	@Test
	void gripSigIsAnHs256JwtFromPushpinValidForAnHour() throws Exception {
		send(HttpRequest.newBuilder(proxy("/plain")));
		SignedJWT jwt = SignedJWT.parse(origin.lastReceived().headers().get("Grip-Sig"));
		assertThat(jwt.verify(new MACVerifier(SIGNING_KEY.getBytes(StandardCharsets.UTF_8)))).isTrue();
		JWTClaimsSet claims = jwt.getJWTClaimsSet();
		assertThat(claims.getIssuer()).isEqualTo("pushpin");
		Date expected = Date.from(Instant.now().plusSeconds(3600));
		assertThat(claims.getExpirationTime()).isCloseTo(expected, 5 * 60 * 1000L);
		assertThat(new MACVerifier("another-secret-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8))
			.verify(jwt.getHeader(), jwt.getSigningInput(), jwt.getSignature())).isFalse();
	}

	@Test
	void originSlowerThanTheResponseTimeoutGives504() throws Exception {
		HttpResponse<byte[]> response = send(HttpRequest.newBuilder(proxy("/slow")));
		assertThat(response.statusCode()).isEqualTo(504);
	}

	@Test
	void originDownGives502() throws Exception {
		int deadPort = FreePorts.next();
		try (GripwayInstance orphan = GripwayInstance.start("gripway.origin=http://127.0.0.1:" + deadPort)) {
			HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(orphan.proxyUrl() + "/x"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
			assertThat(response.statusCode()).isEqualTo(502);
			assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("Error while proxying to origin.\n");
		}
	}

}
