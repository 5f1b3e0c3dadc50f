package io.gripway.publish.endpoint;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.gripway.bus.BusReceiver;
import io.gripway.bus.BusUnavailableException;
import io.gripway.bus.MessageBus;
import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import io.gripway.test.RawSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PublishHandler}, as {@link PublishApi} serves it, bound to a real reactor-netty server on an ephemeral port, driven by real HTTP clients.
 */
class PublishHandlerIntegrationTests {

	private static final int MAX_BODY_BYTES = 1024;

	private static final String ONE_ITEM = "{\"items\": [{\"channel\": \"ch\","
			+ " \"formats\": {\"http-stream\": {\"content\": \"hi\"}}}]}";

	// HTTP/1.1 only: the default client would offer an h2c upgrade, which is not what publishers send.
	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final RecordingMessageBus bus = new RecordingMessageBus();

	private DisposableServer server;

	@AfterEach
	void stopServer() {
		if (this.server != null) {
			this.server.disposeNow();
		}
	}

	@Test
	void publishAnswersPublishedAfterTheBusAccepts() throws Exception {
		start(this.bus);
		HttpResponse<String> response = post("/publish", ONE_ITEM);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("Published\n");
		assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
		assertThat(this.bus.published).hasSize(1);
		assertThat(this.bus.published.get(0)).singleElement()
			.satisfies((item) -> assertThat(item.httpStream().content()).isEqualTo(Content.utf8("hi")));
	}

	@Test
	void publishWithTrailingSlashIsTheSamePath() throws Exception {
		start(this.bus);
		HttpResponse<String> response = post("/publish/?ignored=1", ONE_ITEM);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(this.bus.published).hasSize(1);
	}

	@Test
	void rootRecoverAndUnknownPaths() throws Exception {
		start(this.bus);
		assertReply(send(request("/").GET()), 200, "Gripway publish API\n");
		assertReply(send(request("/recover/").POST(HttpRequest.BodyPublishers.noBody())), 200, "Updated\n");
		assertReply(send(request("/publish/x").POST(HttpRequest.BodyPublishers.ofString(ONE_ITEM))), 404,
				"Not Found\n");
		assertReply(send(request("/publish//").POST(HttpRequest.BodyPublishers.ofString(ONE_ITEM))), 404,
				"Not Found\n");
		assertThat(this.bus.published).isEmpty();
	}

	@Test
	void otherMethodsGet405WithAllow() throws Exception {
		start(this.bus);
		HttpResponse<String> get = send(request("/publish").GET());
		assertReply(get, 405, "Method not allowed: GET.\n");
		assertThat(get.headers().firstValue("Allow")).hasValue("POST");
		HttpResponse<String> put = send(request("/recover").PUT(HttpRequest.BodyPublishers.ofString(ONE_ITEM)));
		assertReply(put, 405, "Method not allowed: PUT.\n");
		assertThat(put.headers().firstValue("Allow")).hasValue("POST");
		assertThat(this.bus.published).isEmpty();
	}

	@Test
	void unsupportedAcceptGets406() throws Exception {
		start(this.bus);
		HttpResponse<String> response = send(
				request("/publish").header("Accept", "image/png").POST(HttpRequest.BodyPublishers.ofString(ONE_ITEM)));
		assertReply(response, 406, "Not Acceptable. Supported formats are text/plain and application/json.\n");
		assertThat(this.bus.published).isEmpty();
	}

	@Test
	void jsonRepliesByAccept() throws Exception {
		start(this.bus);
		HttpResponse<String> published = send(request("/publish").header("Accept", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(ONE_ITEM)));
		assertReply(published, 200, "{\"message\": \"Published\"}\n");
		assertThat(published.headers().firstValue("Content-Type")).hasValue("application/json");
		// The first type Pushpin knows decides, whatever the q values say.
		HttpResponse<String> invalid = send(request("/publish")
			.header("Accept", "image/png, application/*;q=0.1, text/plain")
			.POST(HttpRequest.BodyPublishers.ofString("{\"items\": [{\"channel\": \"c\\\"\"}]}")));
		assertReply(invalid, 400, "{\"message\": \"Invalid format: no formats specified in item 1\"}\n");
		HttpResponse<String> text = send(
				request("/publish").header("Accept", "*/*").POST(HttpRequest.BodyPublishers.ofString(ONE_ITEM)));
		assertReply(text, 200, "Published\n");
	}

	@Test
	void postWithoutContentLengthGets411() throws Exception {
		start(this.bus);
		String chunked = "POST /publish HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
				+ Integer.toHexString(ONE_ITEM.length()) + "\r\n" + ONE_ITEM + "\r\n0\r\n\r\n";
		assertThat(raw(chunked)).startsWith("HTTP/1.1 411 ").endsWith("\r\n\r\nRequest requires Content-Length.\n");
		String noLength = "POST /publish HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
		assertThat(raw(noLength)).startsWith("HTTP/1.1 411 ");
		assertThat(this.bus.published).isEmpty();
	}

	@Test
	void bodyOverTheLimitGets400() throws Exception {
		start(this.bus);
		String tooLarge = ONE_ITEM + " ".repeat(MAX_BODY_BYTES + 1 - ONE_ITEM.length());
		assertReply(post("/publish", tooLarge), 400, "Request body too large.\n");
		assertThat(this.bus.published).isEmpty();
		String atLimit = ONE_ITEM + " ".repeat(MAX_BODY_BYTES - ONE_ITEM.length());
		assertReply(post("/publish", atLimit), 200, "Published\n");
		assertThat(this.bus.published).hasSize(1);
	}

	@Test
	void invalidSecondItemPublishesNothing() throws Exception {
		start(this.bus);
		String body = "{\"items\": [{\"channel\": \"a\", \"http-stream\": {\"content\": \"1\"}},"
				+ " {\"channel\": \"b\", \"http-stream\": {\"action\": \"x\"}}]}";
		assertReply(post("/publish", body), 400, "Invalid format: unknown action 'x' in 'http-stream' of item 2\n");
		assertReply(post("/publish", "nope"), 400, "Body is not valid JSON.\n");
		assertReply(post("/publish", ""), 400, "Body is not valid JSON.\n");
		assertThat(this.bus.published).isEmpty();
	}

	@Test
	void busUnavailableGets503() throws Exception {
		start(new RecordingMessageBus() {
			@Override
			public Mono<Void> publish(List<PublishItem> items) {
				return Mono.error(new BusUnavailableException("Redis is down"));
			}
		});
		assertReply(post("/publish", ONE_ITEM), 503, "Service Unavailable: Redis is down\n");
	}

	@Test
	void requestAsFanoutioGripPublisherSendsIt() throws Exception {
		start(this.bus);
		// @fanoutio/grip Publisher.publishHttpStream("test", "data: hi\n\n", "2", "1") with a Bearer key (§7.2).
		String body = "{\"items\":[{\"formats\":{\"http-stream\":{\"content\":\"data: hi\\n\\n\"}},\"id\":\"2\","
				+ "\"prev-id\":\"1\",\"channel\":\"test\"}]}";
		HttpResponse<String> response = send(request("/publish/").header("Content-Type", "application/json")
			.header("Authorization", "Bearer changeme")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
		assertReply(response, 200, "Published\n");
		assertThat(this.bus.published).singleElement()
			.isEqualTo(List.of(new PublishItem("test", "2", "1", java.util.Map.of(), null,
					new HttpStreamFormat(Action.SEND, Content.utf8("data: hi\n\n"), null), null, false)));
	}

	private void start(MessageBus bus) {
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(PublishApi.httpHandler(new PublishHandler(bus, MAX_BODY_BYTES),
					List.of())))
			.bindNow(Duration.ofSeconds(10));
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.server.port() + path))
			.timeout(Duration.ofSeconds(10));
	}

	private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
		return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** java.net.http always frames a POST body with a length, so requests without one go over a plain socket. */
	private String raw(String request) {
		try (RawSocket socket = RawSocket.connect(this.server.port())) {
			// the server closes the connection after these replies, which ends the stream
			return socket.send(request).readToEnd();
		}
	}

	private static void assertReply(HttpResponse<String> response, int status, String body) {
		assertThat(response.statusCode()).isEqualTo(status);
		assertThat(response.body()).isEqualTo(body);
	}

	/** Records what was published; accepts everything. */
	private static class RecordingMessageBus implements MessageBus {

		@Override
		public void recover() {
		}

		final List<List<PublishItem>> published = new CopyOnWriteArrayList<>();

		@Override
		public Mono<Void> publish(List<PublishItem> items) {
			return Mono.fromRunnable(() -> this.published.add(items));
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
