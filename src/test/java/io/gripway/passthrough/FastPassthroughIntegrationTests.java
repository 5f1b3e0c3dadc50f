package io.gripway.passthrough;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;

import io.gripway.metrics.MeterNames;
import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.RawOrigin;
import io.gripway.test.RawSocket;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast path answers exactly as the gateway does: every request below goes to two Gripways on one origin, one with
 * the fast path (the default) and one without it, and the origin must receive the same bytes from both, and the
 * client get the same bytes back. The fast path's own counter shows which requests it took.
 */
class FastPassthroughIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String SIGNING_KEY = "a-secret-of-at-least-thirty-two-bytes!";

	// more than the sockets between origin, proxy and client buffer, so the client can leave in the middle of it
	private static final String BIG_BODY = "x".repeat(8 * 1024 * 1024);

	private static RawOrigin origin;

	private static GripwayInstance fast;

	private static GripwayInstance gateway;

	@BeforeAll
	static void start() {
		origin = new RawOrigin(FastPassthroughIntegrationTests::answer);
		String[] settings = { "gripway.origin=" + origin.url(), "gripway.signing.key=" + SIGNING_KEY,
				"spring.cloud.gateway.server.webflux.httpclient.response-timeout=1s" };
		fast = GripwayInstance.start(settings);
		List<String> withoutFastPath = new ArrayList<>(List.of(settings));
		withoutFastPath.add("gripway.passthrough.fast-path=false");
		gateway = GripwayInstance.start(withoutFastPath.toArray(String[]::new));
	}

	@AfterAll
	static void stop() {
		if (fast != null) {
			fast.close();
		}
		if (gateway != null) {
			gateway.close();
		}
		if (origin != null) {
			origin.close();
		}
	}

	/** The origin's answers, by the request's path. */
	private static String answer(RawOrigin.Request request) {
		String path = request.target().replaceAll("\\?.*", "");
		return switch (path) {
			case "/chunked" -> "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
					+ "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
			case "/events" -> "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
					+ "Transfer-Encoding: chunked\r\n\r\n9\r\ndata: a\n\n\r\n9\r\ndata: b\n\n\r\n0\r\n\r\n";
			case "/hop" -> "HTTP/1.1 203 Non-Authoritative Information\r\nConnection: X-Private\r\n"
					+ "X-Private: secret\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: Basic\r\nX-Kept: 1\r\n"
					+ "x-kept: 2\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok";
			case "/odd-status" -> "HTTP/1.1 299 Whatever\r\nContent-Length: 0\r\n\r\n";
			case "/empty" -> "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
			case "/empty-chunked" -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
			case "/grip-hop" -> "HTTP/1.1 200 OK\r\nConnection: Grip-Hold\r\nGrip-Hold: response\r\n"
					+ "Content-Length: 2\r\n\r\nok";
			// the origin hangs up after the headers, before the body's first byte
			case "/cut" -> "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
			case "/not-modified" -> "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n";
			case "/grip" -> "HTTP/1.1 200 OK\r\nGrip-Hold: response\r\nGrip-Channel: fast-path-test\r\n"
					+ "Grip-Timeout: 1\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\ntimeout\n";
			case "/held-stream" -> "HTTP/1.1 200 OK\r\nGrip-Hold: stream\r\nGrip-Channel: fast-path-held\r\n"
					+ "Content-Type: text/plain\r\nContent-Length: 7\r\n\r\nopened\n";
			case "/grip-bad" -> "HTTP/1.1 200 OK\r\nGrip-Hold: forever\r\nGrip-Channel: x\r\nContent-Length: 0\r\n\r\n";
			case "/slow" -> {
				sleep(Duration.ofSeconds(2));
				yield "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate";
			}
			case "/big" -> "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
					+ BIG_BODY.length() + "\r\n\r\n" + BIG_BODY;
			case "/gone" -> throw new IllegalStateException("the origin closes the connection without answering");
			default -> "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Origin: yes\r\nContent-Length: 6\r\n\r\n"
					+ "hello\n";
		};
	}

	@Test
	void plainRequestsTakeTheFastPathAndAreRelayedByteForByte() {
		String host = "Host: example.test\r\n";
		assertSameOnTheWire("GET / HTTP/1.1\r\n" + host + "\r\n", true);
		assertSameOnTheWire("GET /plain?b=2&a=1&b=3&&c HTTP/1.1\r\n" + host + "Accept: text/plain\r\n"
				+ "X-Repeated: 1\r\nUser-Agent: test\r\nx-repeated: 2\r\nCookie: a=1\r\n\r\n", true);
		assertSameOnTheWire("GET /a%2Fb/%7Ec/caf%C3%A9?q=%20x+y HTTP/1.1\r\n" + host + "\r\n", true);
		assertSameOnTheWire("GET /plain HTTP/1.1\r\nHost: example.test:8443\r\nConnection: keep-alive\r\n\r\n", true);
		assertSameOnTheWire("GET /plain HTTP/1.0\r\n" + host + "\r\n", true);
		assertSameOnTheWire("GET /plain HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", true);
		// the X-Forwarded-Host and -Port of a default port, a host name's case, a target's odd but valid characters
		assertSameOnTheWire("GET /plain HTTP/1.1\r\nHost: Example.TEST:80\r\n\r\n", true);
		assertSameOnTheWire("GET /p;a=1/~it's(1)*!$,@:?c=/d?e HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n", true);
	}

	@Test
	void requestsWhoseUriTheFastPathWouldNotReadAsWebFluxDoesTakeTheGateway() {
		// WebFlux's URI of each differs from the target and host as they came, or it refuses them: left to it
		for (String request : List.of("GET http://example.test/plain HTTP/1.1\r\nHost: example.test\r\n\r\n",
				"GET /a|b HTTP/1.1\r\nHost: example.test\r\n\r\n",
				"GET /a%zz HTTP/1.1\r\nHost: example.test\r\n\r\n",
				"GET /q?x=[1] HTTP/1.1\r\nHost: example.test\r\n\r\n",
				"GET /plain HTTP/1.1\r\nHost: my_host\r\n\r\n",
				"GET /plain HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")) {
			origin.clear();
			assertSameResponse(request, false);
		}
	}

	@Test
	void clientGripHeadersNeverReachTheOriginOnTheFastPath() {
		RawOrigin.Request received = assertSameOnTheWire("GET /plain HTTP/1.1\r\nHost: example.test\r\n"
				+ "Grip-Sig: forged\r\nGrip-Last: ch; last-id=1\r\ngrip-feature: none\r\n\r\n", true);
		assertThat(received.headerLines()).noneMatch(line -> line.toLowerCase(Locale.ROOT).contains("forged")
				|| line.toLowerCase(Locale.ROOT).startsWith("grip-last"));
	}

	@Test
	void originAnswersOfEveryKindReachTheClientAsTheGatewayWritesThem() {
		for (String path : List.of("/chunked", "/events", "/hop", "/odd-status", "/not-modified", "/empty",
				"/empty-chunked", "/grip-hop")) {
			assertSameOnTheWire("GET " + path + " HTTP/1.1\r\nHost: example.test\r\n\r\n", true);
		}
	}

	@Test
	void gripAnswersAreCarriedOutAsOnTheGatewayPath() {
		String held = assertSameResponse("GET /grip HTTP/1.1\r\nHost: example.test\r\n\r\n", true);
		assertThat(held).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\ntimeout\n").doesNotContain("Grip-");
		String bad = assertSameResponse("GET /grip-bad HTTP/1.1\r\nHost: example.test\r\n\r\n", true);
		assertThat(bad).startsWith("HTTP/1.1 502 ");
	}

	@Test
	void aConnectionHeldByWayOfTheFastPathKeepsNothingOfTheRelay() throws Exception {
		int held = 100;
		long before = liveInstances(WEB_REQUEST);
		List<RawSocket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < held; i++) {
				RawSocket socket = RawSocket.connect(fast.proxyPort());
				sockets.add(socket);
				socket.send("GET /held-stream HTTP/1.1\r\nHost: example.test\r\n\r\n");
				assertThat(socket.readHead()).startsWith("HTTP/1.1 200 OK\r\n");
				assertThat(socket.readChunkedChunk()).isEqualTo("opened\n");
			}
			// the GRIP answer was carried out on WebFlux's request and response, made for it; once the stream is
			// held, those and the relay's own state (the origin's response with them) are no longer referenced
			assertThat(liveInstances(WEB_REQUEST) - before).as("WebFlux requests kept by %d held streams", held)
				.isLessThan(held / 10);
		}
		finally {
			sockets.forEach(RawSocket::close);
		}
	}

	@Test
	void originFailuresGetTheGatewaysAnswersAndTimers() {
		assertThat(assertSameResponse("GET /slow HTTP/1.1\r\nHost: example.test\r\n\r\n", true))
			.startsWith("HTTP/1.1 504 ");
		assertThat(assertSameResponse("GET /gone HTTP/1.1\r\nHost: example.test\r\n\r\n", true))
			.startsWith("HTTP/1.1 502 ");
		// one deliberate difference: an origin that hangs up after its headers, before its body's first byte, gets
		// the client a 502 from the gateway (WebFlux commits nothing before that byte); the fast path passes the
		// origin's status and headers on as they come, then closes the connection, as a streaming proxy does
		String cut = "GET /cut HTTP/1.1\r\nHost: example.test\r\n\r\n";
		double before = relayed(fast);
		assertThat(exchange(gateway, cut)).startsWith("HTTP/1.1 502 ");
		assertThat(exchange(fast, cut)).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 10\r\n")
			.endsWith("\r\n\r\n");
		assertThat(relayed(fast) - before).isEqualTo(1);
		// every other test sends the same requests to both, except the one whose client leaves (to the fast path only)
		Map<String, Long> fastTimers = originTimers(fast);
		Map<String, Long> gatewayTimers = originTimers(gateway);
		assertThat(fastTimers).containsKeys("timeout", "error");
		assertThat(fastTimers.get("timeout")).isEqualTo(gatewayTimers.get("timeout"));
		assertThat(fastTimers.get("error")).isEqualTo(gatewayTimers.get("error"));
	}

	@Test
	void requestsThatAskForMoreTakeTheGateway() {
		String host = "Host: example.test\r\n";
		assertSameOnTheWire("GET /plain HTTP/1.1\r\n" + host + "X-Forwarded-For: 10.1.2.3\r\n\r\n", false);
		assertSameOnTheWire("GET /plain HTTP/1.1\r\n" + host + "Forwarded: for=10.1.2.3\r\n\r\n", false);
		assertSameOnTheWire("GET /plain HTTP/1.1\r\n" + host + "Connection: X-Hop\r\nX-Hop: 1\r\n\r\n", false);
		assertSameOnTheWire("GET /plain HTTP/1.1\r\n" + host + "TE: trailers\r\n\r\n", false);
		assertSameOnTheWire("GET /plain HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabc", false);
		assertSameOnTheWire("POST /plain HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n", false);
		assertSameOnTheWire("DELETE /plain HTTP/1.1\r\n" + host + "\r\n", false);
		assertSameOnTheWire("GET /plain HTTP/1.1\r\n" + host + "Content-Type: application/grpc\r\n\r\n", false);
	}

	@Test
	void aClientThatLeavesMidBodyLeavesNothingBehind() {
		double before = relayed(fast);
		int ended = origin.endedConnections();
		for (int i = 0; i < 3; i++) {
			try (RawSocket socket = RawSocket.connect(fast.proxyPort())) {
				socket.send("GET /big HTTP/1.1\r\nHost: example.test\r\n\r\n");
				assertThat(socket.readHead()).startsWith("HTTP/1.1 200 OK\r\n");
				assertThat(socket.readBytes(1024)).isEqualTo("x".repeat(1024));
			}
		}
		// and clients that leave at once, while the answer's first piece and its headers are on their way
		for (int i = 0; i < 20; i++) {
			try (RawSocket socket = RawSocket.connect(fast.proxyPort())) {
				socket.send("GET /big HTTP/1.1\r\nHost: example.test\r\n\r\n");
			}
		}
		// the origin's side of each abandoned body is closed, not left writing into a connection nobody reads
		Await.until("the abandoned origin connections closed", WAIT, () -> origin.endedConnections() - ended >= 23);
		// the proxy goes on serving; the leak check after this class finds any buffer the abandoned bodies kept
		assertThat(exchange(fast, "GET /plain HTTP/1.1\r\nHost: example.test\r\n\r\n")).endsWith("\r\n\r\nhello\n");
		assertThat(relayed(fast) - before).isEqualTo(24);
	}

	@Test
	void anotherRouteTurnsTheFastPathOffAndItsRequestsStillWork() {
		try (GripwayInstance routed = GripwayInstance.start("gripway.origin=" + origin.url(),
				"spring.cloud.gateway.server.webflux.routes[0].id=api",
				"spring.cloud.gateway.server.webflux.routes[0].uri=" + origin.url(),
				"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/api/**")) {
			origin.clear();
			assertThat(exchange(routed, "GET /api/x HTTP/1.1\r\nHost: example.test\r\n\r\n"))
				.startsWith("HTTP/1.1 200 OK\r\n");
			assertThat(exchange(routed, "GET /plain HTTP/1.1\r\nHost: example.test\r\n\r\n"))
				.startsWith("HTTP/1.1 200 OK\r\n");
			assertThat(origin.next(WAIT).target()).isEqualTo("/api/x");
			assertThat(origin.next(WAIT).target()).isEqualTo("/plain");
			assertThat(relayed(routed)).isZero();
		}
	}

	/**
	 * Sends {@code request} through both Gripways; asserts that the origin received the same request and the client
	 * the same response from each, and that the fast path took it or not as {@code fastPath} says.
	 * @return the origin's request through the fast path
	 */
	private static RawOrigin.Request assertSameOnTheWire(String request, boolean fastPath) {
		origin.clear();
		double before = relayed(fast);
		String fastResponse = exchange(fast, request);
		RawOrigin.Request fastReceived = origin.next(WAIT);
		String gatewayResponse = exchange(gateway, request);
		RawOrigin.Request gatewayReceived = origin.next(WAIT);
		assertThat(relayed(fast) - before).as("taken by the fast path: " + request).isEqualTo(fastPath ? 1 : 0);
		assertThat(relayed(gateway)).isZero();
		assertThat(fastReceived.requestLine()).isEqualTo(gatewayReceived.requestLine());
		assertThat(normalized(fastReceived.headerLines())).as(request)
			.isEqualTo(normalized(gatewayReceived.headerLines()));
		assertThat(fastReceived.bodyText()).isEqualTo(gatewayReceived.bodyText());
		assertThat(fastResponse).as(request).isEqualTo(gatewayResponse);
		return fastReceived;
	}

	private static String assertSameResponse(String request, boolean fastPath) {
		double before = relayed(fast);
		String fastResponse = exchange(fast, request);
		String gatewayResponse = exchange(gateway, request);
		assertThat(relayed(fast) - before).isEqualTo(fastPath ? 1 : 0);
		assertThat(fastResponse).as(request).isEqualTo(gatewayResponse);
		return fastResponse;
	}

	/** The request's response, read as its framing says (the connection stays open unless it is closed). */
	private static String exchange(GripwayInstance gripway, String request) {
		try (RawSocket socket = RawSocket.connect(gripway.proxyPort())) {
			socket.send(request);
			String head = socket.readHead();
			if (request.startsWith("HEAD ") || head.matches("(?s)HTTP/1\\.. (1\\d\\d|204|304) .*")) {
				return head;
			}
			Matcher length = Pattern.compile("(?im)^content-length: *(\\d+)").matcher(head);
			if (length.find()) {
				return head + socket.readBytes(Integer.parseInt(length.group(1)));
			}
			if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
				return head + socket.readChunkedBody();
			}
			return head + socket.readToEnd();
		}
	}

	/** Header lines with the one value that differs by design: the signature's token, which has its issue time. */
	private static List<String> normalized(List<String> headerLines) {
		return headerLines.stream()
			.map(line -> line.regionMatches(true, 0, "Grip-Sig:", 0, 9) ? "Grip-Sig: <token>" : line)
			.toList();
	}

	private static final String WEB_REQUEST = "org.springframework.http.server.reactive.ReactorServerHttpRequest";

	/** Live instances of a class in this JVM, after the full collection a class histogram makes. */
	private static long liveInstances(String className) throws Exception {
		String histogram = (String) ManagementFactory.getPlatformMBeanServer()
			.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
					new Object[] { new String[0] }, new String[] { String[].class.getName() });
		Matcher line = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + Pattern.quote(className) + "\\s*$")
			.matcher(histogram);
		return line.find() ? Long.parseLong(line.group(1)) : 0;
	}

	private static double relayed(GripwayInstance gripway) {
		return gripway.context().getBean(MeterRegistry.class).counter(MeterNames.PASSTHROUGH_FAST).count();
	}

	private static Map<String, Long> originTimers(GripwayInstance gripway) {
		Map<String, Long> counts = new TreeMap<>();
		for (Timer timer : gripway.context()
			.getBean(MeterRegistry.class)
			.find(MeterNames.ORIGIN_REQUESTS)
			.tag(MeterNames.ROUTE, "gripway-origin")
			.timers()) {
			counts.merge(timer.getId().getTag(MeterNames.STATUS), timer.count(), Long::sum);
		}
		return counts;
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
