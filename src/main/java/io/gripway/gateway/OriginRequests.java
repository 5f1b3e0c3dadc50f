package io.gripway.gateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.gripway.app.App;
import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.gripway.instruct.GripHeaders;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The requests Gripway makes to origins on its own, outside a client's exchange: next links, retried long-polls and
 * gone links. They go out on the gateway's own {@link HttpClient} (its pool, timeouts and TLS settings), carry a fresh
 * {@code Grip-Sig} (the connection's application's) and {@code Grip-Feature} as routed requests do, and never a
 * client's {@code Grip-*} header. Channel names in {@code Grip-Last} are the origin's, without the application's
 * prefix.
 *
 * <h3>Thread safety</h3> Stateless after construction; every method may be called from any thread.
 */
final class OriginRequests {

	/**
	 * What an origin answered, body read whole.
	 * @param status the status code
	 * @param reason the reason phrase
	 * @param headers the response headers, in order
	 * @param body the body, at most the configured limit
	 */
	record Answer(int status, String reason, List<HeaderField> headers, Content body) {

		Answer {
			headers = List.copyOf(headers);
			Objects.requireNonNull(body, "body");
		}

		boolean successful() {
			return this.status >= 200 && this.status < 300;
		}

	}

	/** The origin answered with a status that is not 2xx where one was required (a next link). */
	static final class UnsuccessfulAnswerException extends RuntimeException {

		UnsuccessfulAnswerException(URI uri, int status) {
			super(uri + " answered " + status);
		}

		@Override
		public synchronized Throwable fillInStackTrace() {
			return this;
		}

	}

	private final HttpClient client;

	private final long maxBody;

	/**
	 * @param client the gateway's HTTP client
	 * @param maxBody the largest body read from an answer; larger fails with {@link OriginBodyTooLargeException}
	 */
	OriginRequests(HttpClient client, long maxBody) {
		this.client = client;
		this.maxBody = maxBody;
	}

	/**
	 * Sends a request.
	 * @param app the application whose origin it goes to: its Grip-Sig, its channel namespace
	 * @param headers the request's headers; any {@code Grip-*} among them is replaced by Gripway's own
	 * @param lastIds by channel on the bus: one {@code Grip-Last: <channel>; last-id=<id>} per entry, the channel
	 * named as the origin knows it, sorted by channel
	 * @param body the request body, empty for none
	 */
	Mono<Answer> send(App app, String method, URI uri, List<HeaderField> headers, Map<String, String> lastIds,
			byte[] body) {
		@Nullable Supplier<String> signature = app.signature();
		List<String> gripLast = gripLast(app.namespace().fromBus(lastIds));
		HttpClient.RequestSender request = this.client
			.headers(out -> {
				for (HeaderField header : headers) {
					if (!GripHeaders.isGripHeader(header.name()) && !header.named("Host")
							&& !header.named("Content-Length") && !header.named("Transfer-Encoding")) {
						out.add(header.name(), header.value());
					}
				}
				for (String value : gripLast) {
					out.add(GripHeaders.GRIP_LAST, value);
				}
				if (signature != null) {
					out.set(GripHeaders.GRIP_SIG, signature.get());
				}
				out.set(GripHeaders.GRIP_FEATURE, GripRequestHeadersFilter.FEATURES);
			})
			.request(HttpMethod.valueOf(method))
			.uri(uri);
		HttpClient.ResponseReceiver<?> sent = (body.length > 0)
				? request.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body))) : request;
		return sent.response((response, content) -> OriginBody.read(content, this.maxBody).map(read -> {
			List<HeaderField> fields = new ArrayList<>();
			response.responseHeaders().forEach(e -> fields.add(new HeaderField(e.getKey(), e.getValue())));
			return new Answer(response.status().code(), response.status().reasonPhrase(), fields, read);
		})).single();
	}

	/** {@link #send(App, String, URI, List, Map, byte[])} without a body. */
	Mono<Answer> send(App app, String method, URI uri, List<HeaderField> headers, Map<String, String> lastIds) {
		return send(app, method, uri, headers, lastIds, new byte[0]);
	}

	/**
	 * The {@code Grip-Last} values for {@code lastIds} (channels as the origin names them), in channel order so that
	 * equal sets give equal headers.
	 */
	static List<String> gripLast(Map<String, String> lastIds) {
		List<String> values = new ArrayList<>(lastIds.size());
		new TreeMap<>(lastIds).forEach((channel, id) -> values.add(channel + "; last-id=" + id));
		return values;
	}

}
