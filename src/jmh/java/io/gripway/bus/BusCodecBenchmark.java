package io.gripway.bus;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.gripway.publish.Action;
import io.gripway.publish.HttpResponseFormat;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import io.gripway.publish.WsMessageFormat;
import io.gripway.publish.WsMessageType;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.dataformat.cbor.CBORMapper;
import tools.jackson.dataformat.smile.SmileMapper;

/**
 * What one bus message costs a node: encode on the publishing node plus decode on a receiving one, for
 * {@link BusCodec} and for Jackson Smile and CBOR of the same item (mapped through {@link Wire} records, as a
 * Jackson-based codec would have to, since {@code Content} is not a bean). Not part of the build's tests; run with
 * {@code ./mvnw -Pjmh test-compile exec:exec} (see the {@code jmh} profile in {@code pom.xml} for the arguments).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BusCodecBenchmark {

	/** SSE event on a stream, WebSocket text message, long-poll response with headers and a 1 kB JSON body. */
	@Param({ "stream", "ws", "response" })
	public String kind;

	private PublishItem item;

	private final ObjectMapper smile = SmileMapper.builder().build();

	private final ObjectMapper cbor = CBORMapper.builder().build();

	private ObjectWriter smileWriter;

	private ObjectReader smileReader;

	private ObjectWriter cborWriter;

	private ObjectReader cborReader;

	@Setup
	public void setUp() throws Exception {
		this.item = item(this.kind);
		this.smileWriter = this.smile.writerFor(Wire.class);
		this.smileReader = this.smile.readerFor(Wire.class);
		this.cborWriter = this.cbor.writerFor(Wire.class);
		this.cborReader = this.cbor.readerFor(Wire.class);
		// the round trips must be lossless, or the comparison means nothing
		check(BusCodec.decode(BusCodec.encode(this.item, 1)).item());
		check(this.smileReader.<Wire>readValue(this.smileWriter.writeValueAsBytes(Wire.of(this.item, 1))).item());
		check(this.cborReader.<Wire>readValue(this.cborWriter.writeValueAsBytes(Wire.of(this.item, 1))).item());
		System.out.printf("%n%s bytes: BusCodec %d, Smile %d, CBOR %d%n", this.kind,
				BusCodec.encode(this.item, 1).length, this.smileWriter.writeValueAsBytes(Wire.of(this.item, 1)).length,
				this.cborWriter.writeValueAsBytes(Wire.of(this.item, 1)).length);
	}

	private void check(PublishItem decoded) {
		if (!decoded.equals(this.item)) {
			throw new IllegalStateException("round trip changed the item: " + decoded);
		}
	}

	@Benchmark
	public PublishItem busCodec() throws MalformedBusMessageException {
		return BusCodec.decode(BusCodec.encode(this.item, 1_790_000_000_000L)).item();
	}

	@Benchmark
	public PublishItem jacksonSmile() throws Exception {
		byte[] bytes = this.smileWriter.writeValueAsBytes(Wire.of(this.item, 1_790_000_000_000L));
		return this.smileReader.<Wire>readValue(bytes).item();
	}

	@Benchmark
	public PublishItem jacksonCbor() throws Exception {
		byte[] bytes = this.cborWriter.writeValueAsBytes(Wire.of(this.item, 1_790_000_000_000L));
		return this.cborReader.<Wire>readValue(bytes).item();
	}

	static PublishItem item(String kind) {
		Map<String, String> meta = Map.of("sender", "user-1842");
		return switch (kind) {
			case "stream" -> new PublishItem("news/sports", "evt-18422", "evt-18421", meta, null,
					new HttpStreamFormat(Action.SEND,
							Content.utf8("event: score\ndata: {\"home\":2,\"away\":1,\"minute\":67}\n\n"), null),
					null, false);
			case "ws" -> new PublishItem("room-42", "m-77", null, meta, null, null,
					new WsMessageFormat(Action.SEND, WsMessageType.TEXT,
							Content.utf8("{\"from\":\"alice\",\"text\":\"see you at eight\"}"), null, null, null),
					false);
			case "response" -> new PublishItem("orders/5521", "v12", "v11", meta,
					new HttpResponseFormat(Action.SEND, 200, null,
							List.of(new HeaderField("Content-Type", "application/json"),
									new HeaderField("Cache-Control", "no-store")),
							Content.utf8("{\"items\":[" + "{\"sku\":\"A-1001\",\"qty\":2,\"price\":\"19.90\"},".repeat(24)
									+ "{}]}"),
							null),
					null, null, false);
			default -> throw new IllegalArgumentException(kind);
		};
	}

	/** The item as a Jackson codec would carry it: records of plain values, bytes as binary. */
	public record Wire(long publishedAt, String channel, @Nullable String id, @Nullable String prevId,
			Map<String, String> meta, boolean noSeq, @Nullable Response httpResponse, @Nullable Stream httpStream,
			@Nullable Ws wsMessage) {

		static Wire of(PublishItem item, long publishedAt) {
			HttpResponseFormat r = item.httpResponse();
			HttpStreamFormat s = item.httpStream();
			WsMessageFormat w = item.wsMessage();
			return new Wire(publishedAt, item.channel(), item.id(), item.prevId(), item.meta(), item.noSeq(),
					(r != null) ? new Response(r.action(), r.code(), r.reason(), headers(r.headers()),
							r.body().toByteArray(), r.contentFilters()) : null,
					(s != null) ? new Stream(s.action(), s.content().toByteArray(), s.contentFilters()) : null,
					(w != null) ? new Ws(w.action(), w.type(), w.content().toByteArray(), w.closeCode(),
							w.closeReason(), w.contentFilters()) : null);
		}

		PublishItem item() {
			return new PublishItem(this.channel, this.id, this.prevId, this.meta,
					(this.httpResponse != null) ? this.httpResponse.format() : null,
					(this.httpStream != null) ? new HttpStreamFormat(this.httpStream.action(),
							Content.adopt(this.httpStream.content()), this.httpStream.contentFilters()) : null,
					(this.wsMessage != null) ? new WsMessageFormat(this.wsMessage.action(), this.wsMessage.type(),
							Content.adopt(this.wsMessage.content()), this.wsMessage.closeCode(),
							this.wsMessage.closeReason(), this.wsMessage.contentFilters()) : null,
					this.noSeq);
		}

		private static List<List<String>> headers(List<HeaderField> headers) {
			return headers.stream().map((header) -> List.of(header.name(), header.value())).toList();
		}

	}

	public record Response(Action action, int code, @Nullable String reason, List<List<String>> headers, byte[] body,
			@Nullable List<String> contentFilters) {

		HttpResponseFormat format() {
			return new HttpResponseFormat(this.action, this.code, this.reason,
					this.headers.stream().map((pair) -> new HeaderField(pair.get(0), pair.get(1))).toList(),
					Content.adopt(this.body), this.contentFilters);
		}

	}

	public record Stream(Action action, byte[] content, @Nullable List<String> contentFilters) {
	}

	public record Ws(Action action, WsMessageType type, byte[] content, @Nullable Integer closeCode,
			@Nullable String closeReason, @Nullable List<String> contentFilters) {
	}

}
