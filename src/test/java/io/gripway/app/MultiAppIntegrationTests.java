package io.gripway.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import io.gripway.test.PublishJson;
import io.gripway.test.RedisServer;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import io.gripway.test.WsClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two applications sharing one tier of two replicas on one Redis ({@code gripway.apps}), both using the same channel
 * names: each one's publishes reach only its own connections (long-poll, stream, WebSocket-over-HTTP), whichever
 * replica holds them and whichever receives the publish; each one's publishers are confined to its namespace; each
 * origin gets its own application's Grip-Sig; and no origin or publisher ever sees a prefix.
 */
@ExtendWith(NettyLeakCheck.class)
class MultiAppIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(20);

	static final String SIG_A = "grip-sig-key-of-application-a-32-bytes+";

	static final String SIG_B = "grip-sig-key-of-application-b-32-bytes+";

	static final String PUBLISH_KEY_A = "publisher-key-of-application-a-32-bytes";

	static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static RedisServer redis;

	static TestOrigin originA;

	static TestOrigin originB;

	static GripwayInstance one;

	static GripwayInstance two;

	static RedisClient redisClient;

	static StatefulRedisConnection<String, String> redisCommands;

	@BeforeAll
	static void start() {
		redis = RedisServer.started();
		originA = origin("a");
		originB = origin("b");
		one = replica();
		two = replica();
		redisClient = RedisClient.create(redis.url());
		redisCommands = redisClient.connect();
	}

	/**
	 * Waits until {@code replica} holds {@code count} connections on the bus channel {@code busChannel} and Redis
	 * carries it to one replica, so a publish to the other replica reaches them. Each test has channels of its own:
	 * a subscription lingers after its test.
	 */
	static void awaitSubscribers(GripwayInstance replica, String busChannel, int count) {
		replica.awaitSubscribers(busChannel, count);
		Await.until(WAIT, () -> redisCommands.sync()
			.pubsubNumsub("gripway:" + busChannel)
			.getOrDefault("gripway:" + busChannel, 0L) == 1L, () -> "Redis subscription to " + busChannel);
	}

	static GripwayInstance replica() {
		return GripwayInstance.start("gripway.bus.type=redis", "gripway.bus.redis.url=" + redis.url(),
				"gripway.hold.message-wait=300ms",
				// application a: by path, JWT and token publishers
				"gripway.apps[0].name=a", "gripway.apps[0].routes[0].uri=" + originA.url(),
				"gripway.apps[0].routes[0].paths[0]=/a/**", "gripway.apps[0].signing.key=" + SIG_A,
				"gripway.apps[0].signing.issuer=gripway-a", "gripway.apps[0].publishers[0].name=a-backend",
				"gripway.apps[0].publishers[0].iss=a-backend", "gripway.apps[0].publishers[0].key=base64:"
						+ Base64.getEncoder().encodeToString(PUBLISH_KEY_A.getBytes(StandardCharsets.UTF_8)),
				"gripway.apps[0].publishers[1].name=a-news", "gripway.apps[0].publishers[1].token=a-news-token",
				"gripway.apps[0].publishers[1].channels[0]=news",
				// application b: by path, Basic
				"gripway.apps[1].name=b", "gripway.apps[1].routes[0].uri=" + originB.url(),
				"gripway.apps[1].routes[0].paths[0]=/b/**", "gripway.apps[1].routes[1].uri=" + originB.url(),
				"gripway.apps[1].routes[1].hosts[0]=b.example", "gripway.apps[1].signing.key=" + SIG_B,
				"gripway.apps[1].signing.issuer=gripway-b", "gripway.apps[1].publishers[0].name=b-backend",
				"gripway.apps[1].publishers[0].username=b-user", "gripway.apps[1].publishers[0].password=b-pass",
				// the operator, outside every application
				"gripway.publish.auth.publishers[0].name=ops", "gripway.publish.auth.publishers[0].token=ops-token");
	}

	/** The origin of application {@code app}: everything under {@code /<app>/}, channels from {@code ?ch=}. */
	static TestOrigin origin(String app) {
		TestOrigin origin = new TestOrigin();
		String base = "/" + app;
		origin.route(base + "/lp", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", param(request.uri(), "ch"))
			.sendString(Mono.just("timeout\n")));
		origin.route(base + "/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", param(request.uri(), "ch"))
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("open\n")));
		origin.route(base + "/ws", (request, response) -> {
			String subscribe = "c:{\"type\":\"subscribe\",\"channel\":\"" + param(request.uri(), "ch") + "\"}";
			String events = "OPEN\r\nTEXT " + Integer.toHexString(subscribe.length()) + "\r\n" + subscribe + "\r\n";
			return response.header("Content-Type", "application/websocket-events")
				.header("Sec-WebSocket-Extensions", "grip")
				.sendString(Mono.just("6".equals(request.requestHeaders().get("Content-Length")) ? events : ""));
		});
		// a followed stream whose items carry their id, rendered by build-id from the origin's own channel name
		origin.route(base + "/followed", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "seq; prev-id=1; filter=build-id")
			.header("Grip-Set-Meta", "id_format=\"%(seq)s\"")
			.header("Grip-Link", "<" + base + "/next>; rel=next")
			.header("Content-Type", "text/plain")
			.sendString(Mono.just("open\n")));
		origin.route(base + "/next", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "seq; prev-id=3; filter=build-id")
			.header("Grip-Set-Meta", "id_format=\"%(seq)s\"")
			.header("Grip-Link", "<" + base + "/next>; rel=next")
			.sendString(Mono.just("page after " + request.requestHeaders().get("Grip-Last") + "\n")));
		// reached by its Host, not its path
		origin.route("/hosted", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", "hosted")
			.sendString(Mono.just("timeout\n")));
		// a followed long-poll: retried with Grip-Last after a gap
		origin.route(base + "/lpseq", (request, response) -> {
			String last = request.requestHeaders().get("Grip-Last");
			if (last != null) {
				return response.sendString(Mono.just("retried after " + last + "\n"));
			}
			return response.header("Grip-Hold", "response")
				.header("Grip-Channel", "lpseq; prev-id=1")
				.sendString(Mono.just("timeout\n"));
		});
		return origin;
	}

	@AfterAll
	static void stop() {
		if (redisCommands != null) {
			redisCommands.close();
			redisClient.shutdown();
		}
		for (AutoCloseable closeable : new AutoCloseable[] { one, two, originA, originB, redis }) {
			try {
				if (closeable != null) {
					closeable.close();
				}
			}
			catch (Exception ex) {
				// keep closing the rest
			}
		}
	}

	@Test
	void longPollsOfTwoAppsOnTheSameChannelNeverMeet() throws Exception {
		CompletableFuture<HttpResponse<String>> heldA = get(one, "/a/lp?ch=news");
		CompletableFuture<HttpResponse<String>> heldB = get(two, "/b/lp?ch=news");
		awaitSubscribers(one, "a:news", 1);
		awaitSubscribers(two, "b:news", 1);
		// published to the other replica: over Redis
		assertThat(publish(two, bearer(jwtA()), PublishJson.response("news", "for a")).statusCode()).isEqualTo(200);
		assertThat(heldA.get(10, TimeUnit.SECONDS).body()).isEqualTo("for a");
		Thread.sleep(300);
		assertThat(heldB).isNotDone();
		assertThat(publish(one, basic("b-user", "b-pass"), PublishJson.response("news", "for b")).statusCode())
			.isEqualTo(200);
		assertThat(heldB.get(10, TimeUnit.SECONDS).body()).isEqualTo("for b");
	}

	@Test
	void anAppIsRoutedByHostToo() throws Exception {
		Mono<String> held = reactor.netty.http.client.HttpClient.create()
			.headers((headers) -> headers.set("Host", "b.example"))
			.get()
			.uri(one.proxyUrl() + "/hosted")
			.responseContent()
			.aggregate()
			.asString();
		CompletableFuture<String> answer = held.toFuture();
		awaitSubscribers(one, "b:hosted", 1);
		assertSignedBy(sig(originB, "/hosted"), SIG_B, SIG_A, "gripway-b");
		assertThat(publish(two, basic("b-user", "b-pass"), PublishJson.response("hosted", "by host")).statusCode())
			.isEqualTo(200);
		assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("by host");
	}

	@Test
	void streamsOfTwoAppsOnTheSameChannelNeverMeet() {
		try (StreamClient a = StreamClient.open(one.proxyUrl() + "/a/stream?ch=feed");
				StreamClient b = StreamClient.open(two.proxyUrl() + "/b/stream?ch=feed")) {
			a.awaitReceived("open\n", WAIT);
			b.awaitReceived("open\n", WAIT);
			awaitSubscribers(one, "a:feed", 1);
			awaitSubscribers(two, "b:feed", 1);
			assertThat(publish(one, basic("b-user", "b-pass"), PublishJson.stream("feed", "b1\\n")).statusCode())
				.isEqualTo(200);
			assertThat(publish(two, bearer(jwtA()), PublishJson.stream("feed", "a1\\n")).statusCode()).isEqualTo(200);
			a.awaitReceived("open\na1\n", WAIT);
			b.awaitReceived("open\nb1\n", WAIT);
			assertThat(a.received()).doesNotContain("b1");
			assertThat(b.received()).doesNotContain("a1");
		}
	}

	@Test
	void webSocketsOfTwoAppsOnTheSameChannelNeverMeet() {
		try (WsClient a = WsClient.connect(wsUrl(two, "/a/ws?ch=chat"));
				WsClient b = WsClient.connect(wsUrl(one, "/b/ws?ch=chat"))) {
			awaitSubscribers(two, "a:chat", 1);
			awaitSubscribers(one, "b:chat", 1);
			assertThat(publish(one, bearer(jwtA()), PublishJson.wsText("chat", "to a")).statusCode()).isEqualTo(200);
			assertThat(publish(two, basic("b-user", "b-pass"), PublishJson.wsText("chat", "to b")).statusCode())
				.isEqualTo(200);
			assertThat(a.next(WAIT).text()).isEqualTo("to a");
			assertThat(b.next(WAIT).text()).isEqualTo("to b");
		}
	}

	@Test
	void aPublisherReachesOnlyItsOwnNamespace() throws Exception {
		CompletableFuture<HttpResponse<String>> heldB = get(one, "/b/lp?ch=alerts");
		awaitSubscribers(one, "b:alerts", 1);
		// a's publisher naming b's channel the way the bus does lands in a's namespace, not b's
		assertThat(publish(two, bearer(jwtA()), PublishJson.response("b:alerts", "forged")).statusCode())
			.isEqualTo(200);
		// a's limited publisher is refused outside its scope, by the name it used
		HttpResponse<String> refused = publish(two, bearer("a-news-token"), PublishJson.response("alerts", "x"));
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).isEqualTo(
				"Forbidden: publisher 'a-news' may not publish to channel 'alerts'.\n");
		// no credential at all
		assertThat(publish(two, null, PublishJson.response("alerts", "x")).statusCode()).isEqualTo(401);
		// recovery touches every application: not for an application's publisher
		assertThat(post(two, "/recover", bearer(jwtA()), "").statusCode()).isEqualTo(403);
		Thread.sleep(300);
		assertThat(heldB).isNotDone();
		// the operator's publisher addresses the bus itself
		assertThat(publish(two, bearer("ops-token"), PublishJson.response("b:alerts", "from ops")).statusCode())
			.isEqualTo(200);
		assertThat(heldB.get(10, TimeUnit.SECONDS).body()).isEqualTo("from ops");
	}

	@Test
	void eachOriginGetsItsOwnAppsGripSig() throws Exception {
		try (StreamClient a = StreamClient.open(one.proxyUrl() + "/a/stream?ch=sig");
				StreamClient b = StreamClient.open(two.proxyUrl() + "/b/stream?ch=sig")) {
			a.awaitReceived("open\n", WAIT);
			b.awaitReceived("open\n", WAIT);
		}
		assertSignedBy(sig(originA, "/a/stream?ch=sig"), SIG_A, SIG_B, "gripway-a");
		assertSignedBy(sig(originB, "/b/stream?ch=sig"), SIG_B, SIG_A, "gripway-b");
	}

	@Test
	void nextLinksSeeNoPrefixAndTheirPagesStayInTheApp() throws Exception {
		try (StreamClient a = StreamClient.open(one.proxyUrl() + "/a/followed");
				StreamClient b = StreamClient.open(one.proxyUrl() + "/b/stream?ch=seq")) {
			a.awaitReceived("open\n", WAIT);
			b.awaitReceived("open\n", WAIT);
			awaitSubscribers(one, "a:seq", 1);
			awaitSubscribers(one, "b:seq", 1);
			// a gap after prev-id 1: the stream fetches its next link
			assertThat(publish(two, bearer(jwtA()), item("seq", "3", "2", "item %I\\n")).statusCode()).isEqualTo(200);
			a.awaitReceived("open\npage after seq; last-id=1\n", WAIT);
			TestOrigin.Received next = originA.received()
				.stream()
				.filter(received -> received.uri().equals("/a/next"))
				.findFirst()
				.orElseThrow();
			assertThat(next.headers().getAll("Grip-Last")).containsExactly("seq; last-id=1");
			assertSignedBy(next.headers().get("Grip-Sig"), SIG_A, SIG_B, "gripway-a");
			// the page's channel is a's seq: the next item reaches it, its id rendered by the unprefixed name
			awaitSubscribers(one, "a:seq", 1);
			assertThat(publish(two, bearer(jwtA()), item("seq", "4", "3", "item %I\\n")).statusCode()).isEqualTo(200);
			a.awaitReceived("open\npage after seq; last-id=1\nitem 4\n", WAIT);
			assertThat(b.received()).isEqualTo("open\n");
		}
	}

	@Test
	void retriedLongPollsSeeNoPrefix() throws Exception {
		CompletableFuture<HttpResponse<String>> held = get(one, "/a/lpseq");
		awaitSubscribers(one, "a:lpseq", 1);
		assertThat(publish(two, bearer(jwtA()), item("lpseq", "3", "2", "skipped")).statusCode()).isEqualTo(200);
		assertThat(held.get(10, TimeUnit.SECONDS).body()).isEqualTo("retried after lpseq; last-id=1\n");
		TestOrigin.Received retry = originA.lastReceived();
		assertThat(retry.headers().getAll("Grip-Last")).containsExactly("lpseq; last-id=1");
		assertSignedBy(retry.headers().get("Grip-Sig"), SIG_A, SIG_B, "gripway-a");
	}

	static void assertSignedBy(String token, String key, String otherKey, String issuer) throws Exception {
		SignedJWT jwt = SignedJWT.parse(token);
		assertThat(jwt.verify(new MACVerifier(key.getBytes(StandardCharsets.UTF_8)))).isTrue();
		assertThat(jwt.verify(new MACVerifier(otherKey.getBytes(StandardCharsets.UTF_8)))).isFalse();
		assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(issuer);
	}

	static String sig(TestOrigin origin, String uri) {
		return origin.received()
			.stream()
			.filter(received -> received.uri().equals(uri))
			.findFirst()
			.orElseThrow()
			.headers()
			.get("Grip-Sig");
	}

	static String item(String channel, String id, String prevId, String content) {
		return "{\"items\":[{\"channel\":\"" + channel + "\",\"id\":\"" + id + "\",\"prev-id\":\"" + prevId
				+ "\",\"formats\":{\"http-stream\":{\"content\":\"" + content + "\"},\"http-response\":{\"body\":\""
				+ content + "\"}}}]}";
	}

	static String jwtA() {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
					new JWTClaimsSet.Builder().issuer("a-backend")
						.expirationTime(Date.from(Instant.now().plusSeconds(600)))
						.build());
			jwt.sign(new MACSigner(PUBLISH_KEY_A.getBytes(StandardCharsets.UTF_8)));
			return jwt.serialize();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	static String bearer(String token) {
		return "Bearer " + token;
	}

	static String basic(String username, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	static HttpResponse<String> publish(GripwayInstance replica, String authorization, String json) {
		return post(replica, "/publish/", authorization, json);
	}

	static HttpResponse<String> post(GripwayInstance replica, String path, String authorization, String body) {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + replica.publishPort() + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		try {
			return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException("publish failed", ex);
		}
	}

	static CompletableFuture<HttpResponse<String>> get(GripwayInstance replica, String path) {
		return client.sendAsync(HttpRequest.newBuilder(URI.create(replica.proxyUrl() + path))
			.timeout(Duration.ofSeconds(60))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	static String wsUrl(GripwayInstance replica, String path) {
		return "ws://127.0.0.1:" + replica.proxyPort() + path;
	}

	static String param(String uri, String name) {
		List<String> values = new QueryStringDecoder(uri).parameters().get(name);
		return values.get(0);
	}

}
