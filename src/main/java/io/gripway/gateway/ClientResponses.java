package io.gripway.gateway;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/** Writing what GRIP decided to the client: a status with its reason, the headers, and whole or streamed bodies. */
public final class ClientResponses {

	private ClientResponses() {
	}

	/**
	 * Replaces the status and headers the gateway copied from the origin. A reason phrase other than the standard one
	 * (from {@code Grip-Status: 404 Gone Fishing} or a publish) is set on the native response, which WebFlux has no
	 * API for.
	 */
	static void head(ServerHttpResponse response, int code, @Nullable String reason, List<HeaderField> headers) {
		HttpHeaders target = response.getHeaders();
		target.clear();
		for (HeaderField header : headers) {
			target.add(header.name(), header.value());
		}
		if (reason == null || reason.equals(HttpResponseStatus.valueOf(code).reasonPhrase())) {
			response.setStatusCode(HttpStatusCode.valueOf(code));
			return;
		}
		Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
		if (nativeResponse instanceof HttpServerResponse netty) {
			response.setStatusCode(null);
			netty.status(status(code, reason));
		}
		else {
			response.setStatusCode(HttpStatusCode.valueOf(code));
		}
	}

	/**
	 * The status and headers of a held response, written once its exchange is over (see
	 * {@link DetachingHttpHandler}), straight on the Reactor Netty response.
	 * @param closeAfter ends the connection after this response ({@code Connection: close}), as every response does
	 * while the node drains
	 */
	static void head(HttpServerResponse response, int code, @Nullable String reason, List<HeaderField> headers,
			boolean closeAfter) {
		response.status(status(code, reason));
		io.netty.handler.codec.http.HttpHeaders target = response.responseHeaders();
		target.clear();
		for (HeaderField header : headers) {
			target.add(header.name(), header.value());
		}
		if (closeAfter) {
			target.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
	}

	/**
	 * Frames a held stream's body as HTTP/1.1 chunks, so its client can tell a clean end from a cut and keep the
	 * connection (clearing the headers dropped Reactor Netty's default). An HTTP/1.0 client gets a body that ends
	 * with the connection, as from Pushpin.
	 */
	static void chunked(HttpServerResponse response) {
		io.netty.handler.codec.http.HttpHeaders headers = response.responseHeaders();
		headers.remove(HttpHeaderNames.CONTENT_LENGTH);
		if (response.version().isKeepAliveDefault()) {
			headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		}
	}

	/**
	 * Whether the HTTP/1.1 codec frames the body of {@code response}, its head as set, as chunks: chunked, and a body
	 * allowed (not the answer to a {@code HEAD}, not 1xx, 204 or 304, which the codec keeps empty).
	 */
	static boolean framedAsChunks(HttpServerResponse response) {
		int code = response.status().code();
		boolean bodyAllowed = code >= 200 && code != 204 && code != 304
				&& response instanceof HttpServerRequest request && !HttpMethod.HEAD.equals(request.method());
		return bodyAllowed && response.responseHeaders()
			.containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true);
	}

	/** A complete held response with a known length, written straight on the Reactor Netty response. */
	static Mono<Void> full(HttpServerResponse response, int code, @Nullable String reason, List<HeaderField> headers,
			Content body, boolean closeAfter) {
		head(response, code, reason, headers, closeAfter);
		response.responseHeaders().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
		return response.send(Mono.just(buffer(body))).then();
	}

	/** With Netty's standard phrase when {@code reason} is null (its status class's name for an unlisted code). */
	static HttpResponseStatus status(int code, @Nullable String reason) {
		return (reason != null) ? new HttpResponseStatus(code, reason) : HttpResponseStatus.valueOf(code);
	}

	/** A complete response with a known length. */
	public static Mono<Void> full(ServerHttpResponse response, int code, @Nullable String reason, List<HeaderField> headers,
			Content body) {
		head(response, code, reason, headers);
		response.getHeaders().setContentLength(body.length());
		return response.writeWith(Mono.just(wrap(response, body)));
	}

	/** A short plain-text error, as a proxy answers when it cannot give the origin's response. */
	public static Mono<Void> error(ServerHttpResponse response, int code, String text) {
		response.getHeaders().clear();
		response.getHeaders().setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
		response.setStatusCode(HttpStatusCode.valueOf(code));
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		response.getHeaders().setContentLength(bytes.length);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
	}

	/**
	 * Wraps shared content without copying it: every subscriber's buffer views the same direct bytes. A wrapped
	 * buffer never frees the memory it wraps, so every write may release its own view.
	 */
	static ByteBuf buffer(Content content) {
		return content.isEmpty() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content.directBuffer());
	}

	/** {@link #buffer} for WebFlux. */
	static DataBuffer wrap(ServerHttpResponse response, Content content) {
		if (content.isEmpty()) {
			return response.bufferFactory().wrap(content.asByteBuffer());
		}
		if (response.bufferFactory() instanceof NettyDataBufferFactory netty) {
			return netty.wrap(buffer(content));
		}
		return response.bufferFactory().wrap(content.asByteBuffer());
	}

}
