package io.gripway.warmup;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The warm-up's origin, on loopback and only for its own requests: it answers as a GRIP origin does, a long-poll or
 * an SSE stream held on the channel the path names, or a plain answer.
 */
final class WarmUpOrigin {

	static final String LONG_POLL = "/lp/";

	static final String STREAM = "/sse/";

	static final String PLAIN = "/plain";

	/** What a held stream sends first, before anything is published. */
	static final String STREAM_START = "data: open\n\n";

	static final String PLAIN_BODY = "ok\n";

	private WarmUpOrigin() {
	}

	static Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		String uri = request.uri();
		if (uri.startsWith(LONG_POLL)) {
			return response.header("Content-Type", "text/plain")
				.header("Grip-Hold", "response")
				.header("Grip-Channel", uri.substring(LONG_POLL.length()))
				.sendString(Mono.just("timeout\n"));
		}
		if (uri.startsWith(STREAM)) {
			return response.header("Content-Type", "text/event-stream")
				.header("Grip-Hold", "stream")
				.header("Grip-Channel", uri.substring(STREAM.length()))
				.sendString(Mono.just(STREAM_START));
		}
		// a plain request may carry a body (the warm-up posts some), read and dropped before the answer
		return request.receive().then(response.header("Content-Type", "text/plain")
			.sendString(Mono.just(PLAIN_BODY))
			.then());
	}

}
