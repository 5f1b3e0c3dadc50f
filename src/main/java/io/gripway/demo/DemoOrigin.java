package io.gripway.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import io.gripway.server.HttpServerLifecycle;
import io.gripway.websocket.WsEvent;
import io.gripway.websocket.WsEvents;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.context.SmartLifecycle;

/**
 * An origin for trying Gripway out, in the spirit of Pushpin's test handler: {@code /response} holds a long-poll,
 * {@code /stream} opens a plain HTTP stream and {@code /sse} an event stream, and {@code /ws} takes WebSockets (over
 * HTTP), each on {@code ?channel=} (default {@code test}). {@code POST /publish?channel=} publishes its body to every
 * kind of client on the channel through Gripway's publish API, as an application would with its own access to it;
 * {@code /} is the demo page, which shows all three clients; anything else answers a plain greeting, which Gripway
 * passes through untouched.
 *
 * <h3>Lifecycle</h3> Started only when {@code gripway.demo.enabled} is true (the {@code demo} profile), on loopback.
 */
public final class DemoOrigin extends HttpServerLifecycle {

	private static final Log logger = LogFactory.getLog(DemoOrigin.class);

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	/** The largest message the publish box takes. */
	private static final int MAX_MESSAGE = 4096;

	/** @param publishPort the port of Gripway's publish API, read when a message is published (it may be picked late) */
	public DemoOrigin(int port, IntSupplier publishPort) {
		super("Demo origin", "127.0.0.1", port, new Handler(publishPort, HttpClient.create())::handle);
	}

	/**
	 * Before the gateway, so the proxy never forwards to an origin that is not listening yet: Spring Boot starts its
	 * web server at {@code DEFAULT_PHASE - 2048}.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 3072;
	}

	private record Handler(IntSupplier publishPort, HttpClient client, AtomicLong ids) {

		Handler(IntSupplier publishPort, HttpClient client) {
			this(publishPort, client, new AtomicLong());
		}

		Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
			QueryStringDecoder uri = new QueryStringDecoder(request.uri());
			String channel = first(uri.parameters(), "channel", "test");
			switch (uri.path()) {
				case "/":
				case "/index.html":
					return response.header("Content-Type", "text/html; charset=utf-8")
						.header("Cache-Control", "no-cache")
						.sendByteArray(Mono.fromCallable(Handler::page))
						.then();
				case "/response":
					return response.header("Grip-Hold", "response")
						.header("Grip-Channel", channel)
						.header("Grip-Timeout", first(uri.parameters(), "timeout", "55"))
						.header("Content-Type", "text/plain")
						.sendString(Mono.just("nothing for now\n"))
						.then();
				case "/stream":
					return response.header("Grip-Hold", "stream")
						.header("Grip-Channel", channel)
						.header("Content-Type", "text/plain")
						.sendString(Mono.just("[stream opened]\n"))
						.then();
				case "/sse":
					return response.header("Grip-Hold", "stream")
						.header("Grip-Channel", channel)
						.header("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=20")
						.header("Content-Type", "text/event-stream")
						.header("Cache-Control", "no-cache")
						.sendString(Mono.just("event: open\ndata: stream opened\n\n"))
						.then();
				case "/ws":
					return webSocket(request, response, channel);
				case "/publish":
					return publish(request, response, channel);
				default:
					return response.header("Content-Type", "text/plain")
						.sendString(Mono.just("Hello from the Gripway demo origin!\n"))
						.then();
			}
		}

		/**
		 * WebSocket-over-HTTP: accepts with the GRIP extension, subscribes the connection to its channel, and echoes
		 * what the client says.
		 */
		private Mono<Void> webSocket(HttpServerRequest request, HttpServerResponse response, String channel) {
			if (request.method() != HttpMethod.POST) {
				return response.status(400).sendString(Mono.just("WebSocket-over-HTTP only\n")).then();
			}
			return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
				List<WsEvent> out = new ArrayList<>();
				for (WsEvent event : WsEvents.decode(body)) {
					switch (event.type()) {
						case OPEN -> {
							out.add(WsEvent.OPEN);
							out.add(WsEvent.text("c:" + MAPPER.createObjectNode()
								.put("type", "subscribe")
								.put("channel", channel)));
						}
						case TEXT -> out.add(WsEvent.text("m:echo: " + event.content().toUtf8()));
						case CLOSE -> out.add(event);
						default -> {
						}
					}
				}
				return response.header("Content-Type", WsEvents.CONTENT_TYPE)
					.header("Sec-WebSocket-Extensions", "grip")
					.sendByteArray(Mono.just(WsEvents.encode(out)))
					.then();
			});
		}

		/** Publishes the request's body to the channel in every format, through Gripway's publish API. */
		private Mono<Void> publish(HttpServerRequest request, HttpServerResponse response, String channel) {
			if (request.method() != HttpMethod.POST) {
				return response.status(405).header("Allow", "POST").send().then();
			}
			return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap(text -> {
				if (text.isBlank() || text.length() > MAX_MESSAGE) {
					return response.status(400).sendString(Mono.just("A message of 1 to 4096 characters, please.\n")).then();
				}
				byte[] item = item(channel, text.strip(), this.ids.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
				return this.client
					.headers(headers -> headers.set("Content-Type", "application/json")
						.setInt("Content-Length", item.length))
					.post()
					.uri("http://127.0.0.1:" + this.publishPort.getAsInt() + "/publish/")
					.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(item)))
					.responseSingle((answer, content) -> content.asString().defaultIfEmpty("")
						.map(message -> answer.status().code() + " " + message))
					.onErrorResume(error -> {
						logger.info("Demo origin could not publish: " + error);
						return Mono.just("502 " + error.getMessage());
					})
					.flatMap(result -> response.status(result.startsWith("200") ? 200 : 502)
						.header("Content-Type", "text/plain")
						.sendString(Mono.just(result.startsWith("200") ? "Published\n" : "Publish failed: " + result))
						.then());
			});
		}

		/** One item in all three formats: a long-poll's response, an SSE event (with an id), a WebSocket message. */
		private static String item(String channel, String text, long id) {
			ObjectNode root = MAPPER.createObjectNode();
			ObjectNode item = root.putArray("items").addObject().put("channel", channel);
			ObjectNode formats = item.putObject("formats");
			// the header tells the page's long-poll a message from its timeout response (which keeps its own headers)
			formats.putObject("http-response")
				.put("body", text + "\n")
				.putObject("headers")
				.put("Content-Type", "text/plain")
				.put("X-Demo-Message", "1");
			formats.putObject("http-stream")
				.put("content", "id: " + id + "\ndata: " + text.replace("\n", "\ndata: ") + "\n\n");
			formats.putObject("ws-message").put("content", text);
			return MAPPER.writeValueAsString(root);
		}

		private static byte[] page() {
			try (InputStream in = DemoOrigin.class.getResourceAsStream("/demo/index.html")) {
				if (in == null) {
					throw new IllegalStateException("demo/index.html missing from the classpath");
				}
				return in.readAllBytes();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private static String first(Map<String, List<String>> parameters, String name, String fallback) {
			List<String> values = parameters.get(name);
			return (values == null || values.isEmpty() || values.get(0).isEmpty()) ? fallback : values.get(0);
		}

	}

}
