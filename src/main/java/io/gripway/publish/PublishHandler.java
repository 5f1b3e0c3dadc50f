package io.gripway.publish;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;

import io.gripway.bus.BusUnavailableException;
import io.gripway.bus.MessageBus;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The publish API, answering as Pushpin's does (reference §2.1) so GRIP client libraries work unchanged:
 * {@code POST /publish/} relays the items through the bus and answers {@code 200 Published}; everything else gets
 * Pushpin's status and words.
 *
 * <p>
 * Unlike Pushpin, a {@code 200} here means the bus accepted the items for every node: when it cannot (Redis down, a
 * full delivery queue) the publisher gets {@code 503} and knows to retry, instead of a false success.
 */
public final class PublishHandler implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

	private static final Log logger = LogFactory.getLog(PublishHandler.class);

	private final MessageBus bus;

	private final long maxBodyBytes;

	private final PublishListener listener;

	public PublishHandler(MessageBus bus, long maxBodyBytes, PublishListener listener) {
		this.bus = bus;
		this.maxBodyBytes = maxBodyBytes;
		this.listener = listener;
	}

	@Override
	public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
		ReplyFormat format = ReplyFormat.negotiate(request.requestHeaders().get(HttpHeaderNames.ACCEPT));
		if (format == null) {
			return reply(response, ReplyFormat.TEXT, HttpResponseStatus.NOT_ACCEPTABLE,
					"Not Acceptable. Supported formats are text/plain and application/json.");
		}
		String path = request.fullPath();
		if (path.length() > 1 && path.endsWith("/")) {
			path = path.substring(0, path.length() - 1);
		}
		switch (path) {
			case "":
			case "/":
				return reply(response, format, HttpResponseStatus.OK, "Gripway publish API");
			case "/publish":
				return publish(request, response, format);
			case "/recover":
				// nothing to recover: Gripway keeps no last-ids to clear yet (prev-id re-ordering is not supported)
				return requirePost(request, response, format, () -> reply(response, format, HttpResponseStatus.OK,
						"Updated"));
			default:
				return reply(response, format, HttpResponseStatus.NOT_FOUND, "Not Found");
		}
	}

	private Publisher<Void> publish(HttpServerRequest request, HttpServerResponse response, ReplyFormat format) {
		return requirePost(request, response, format, () -> {
			String length = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
			if (length == null) {
				this.listener.rejected("no-content-length");
				return reply(response.keepAlive(false), format, HttpResponseStatus.LENGTH_REQUIRED,
						"Request requires Content-Length.");
			}
			if (parseLength(length) > this.maxBodyBytes) {
				this.listener.rejected("too-large");
				return reply(response.keepAlive(false), format, HttpResponseStatus.BAD_REQUEST,
						"Request body too large.");
			}
			return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
				List<PublishItem> items;
				try {
					items = PublishRequestParser.parse(body);
				}
				catch (InvalidPublishException ex) {
					this.listener.rejected("invalid");
					return reply(response, format, HttpResponseStatus.BAD_REQUEST, ex.getMessage());
				}
				return this.bus.publish(items)
					.then(Mono.defer(() -> {
						this.listener.accepted(items.size());
						return reply(response, format, HttpResponseStatus.OK, "Published");
					}))
					.onErrorResume(BusUnavailableException.class, ex -> {
						this.listener.unavailable(items.size());
						logger.warn("Publish of " + items.size() + " item(s) refused: " + ex.getMessage());
						return reply(response, format, HttpResponseStatus.SERVICE_UNAVAILABLE,
								"Service Unavailable: " + ex.getMessage());
					});
			});
		});
	}

	private static long parseLength(String length) {
		try {
			return Long.parseLong(length.trim());
		}
		catch (NumberFormatException ex) {
			return Long.MAX_VALUE;
		}
	}

	private static Mono<Void> requirePost(HttpServerRequest request, HttpServerResponse response, ReplyFormat format,
			java.util.function.Supplier<Mono<Void>> post) {
		if (!HttpMethod.POST.equals(request.method())) {
			response.header(HttpHeaderNames.ALLOW, "POST");
			return reply(response, format, HttpResponseStatus.METHOD_NOT_ALLOWED,
					"Method not allowed: " + request.method().name() + ".");
		}
		return post.get();
	}

	private static Mono<Void> reply(HttpServerResponse response, ReplyFormat format, HttpResponseStatus status,
			String message) {
		byte[] body = format.body(message).getBytes(StandardCharsets.UTF_8);
		return response.status(status)
			.header(HttpHeaderNames.CONTENT_TYPE, format.contentType())
			.header(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(body.length))
			.sendByteArray(Mono.just(body))
			.then();
	}

}
