package io.gripway.gateway;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import io.gripway.http.Content;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A held stream's writes pass through the HTTP codecs of the channel's pipeline, as any response body does. Tested
 * with Netty's own {@link HttpContentCompressor}, which leaves a bare {@code ByteBuf} alone: a held write that were
 * not an {@link HttpContent} would reach the client uncompressed inside a gzip response. (Reactor Netty's compressor
 * and HTTP/2 bridge happen to wrap bare buffers too; {@code HeldWriteCodecIntegrationTests} covers those end to end.)
 */
class ChannelStreamOutputCodecTests {

	@Test
	void heldWritesAreCompressedWithTheRestOfTheResponse() {
		EmbeddedChannel server = new EmbeddedChannel(new HttpResponseEncoder(), new HttpContentCompressor());
		DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/stream");
		request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.GZIP);
		server.writeInbound(request);
		server.<Object>readInbound();
		HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
		head.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
			.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		server.writeOutbound(head);

		AtomicBoolean ended = new AtomicBoolean();
		ChannelStreamOutput[] output = new ChannelStreamOutput[1];
		Mono.<Void>create(done -> output[0] = new ChannelStreamOutput(server, 8, done))
			.doOnSuccess(nothing -> ended.set(true))
			.subscribe();
		output[0].write(Content.utf8("one\n"));
		server.runPendingTasks();
		output[0].write(Content.utf8("two\n"));
		output[0].end();
		server.runPendingTasks();
		assertThat(ended).isTrue();
		// what Reactor Netty writes once the held write completes
		server.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);

		EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpContentDecompressor());
		for (ByteBuf wire = server.readOutbound(); wire != null; wire = server.readOutbound()) {
			client.writeInbound(wire);
		}
		HttpResponse received = client.readInbound();
		assertThat(received.decoderResult().isSuccess()).isTrue();
		StringBuilder body = new StringBuilder();
		for (Object part = client.readInbound(); part != null; part = client.readInbound()) {
			HttpContent content = (HttpContent) part;
			assertThat(content.decoderResult().isSuccess()).isTrue();
			body.append(content.content().toString(StandardCharsets.UTF_8));
			content.release();
		}
		assertThat(body).hasToString("one\ntwo\n");
		assertThat(server.finishAndReleaseAll()).isFalse();
		client.finishAndReleaseAll();
	}

}
