package io.gripway.bus;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.gripway.publish.Action;
import io.gripway.publish.HttpResponseFormat;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import io.gripway.publish.WsMessageFormat;
import io.gripway.publish.WsMessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class BusCodecTests {

	private static final byte[] BINARY = { 0, 1, 2, (byte) 0xFF, (byte) 0x80, 0x7F, 10, 13 };

	static PublishItem everyField() {
		return new PublishItem("chat/ü-1", "id-2", "id-1", Map.of("sender", "alice", "skip_users", "bob,carol"),
				new HttpResponseFormat(Action.SEND, 409, "Conflict Ω",
						List.of(new HeaderField("Set-Cookie", "a=1"), new HeaderField("Set-Cookie", "b=2")),
						Content.of(BINARY), null),
				new HttpStreamFormat(Action.SEND, Content.utf8("data: hi\n\n"), null),
				new WsMessageFormat(Action.CLOSE, WsMessageType.TEXT, Content.EMPTY, 4001, "bye", null), true);
	}

	static PublishItem streamOnly(String channel, String text) {
		return new PublishItem(channel, null, null, Map.of(), null,
				new HttpStreamFormat(Action.SEND, Content.utf8(text), null), null, false);
	}

	@Test
	void roundTripsEveryField() throws Exception {
		PublishItem item = everyField();
		BusCodec.Message decoded = BusCodec.decode(BusCodec.encode(item, 1_790_000_000_123L));
		assertThat(decoded.item()).isEqualTo(item);
		assertThat(decoded.publishedAtMillis()).isEqualTo(1_790_000_000_123L);
	}

	@Test
	void roundTripsNullsAndEmptyValues() throws Exception {
		PublishItem item = new PublishItem("c", null, null, Map.of(),
				new HttpResponseFormat(Action.HINT, 200, null, List.of(), Content.EMPTY, null), null,
				new WsMessageFormat(Action.SEND, WsMessageType.BINARY, Content.of(BINARY), null, null, null), false);
		assertThat(BusCodec.decode(BusCodec.encode(item, 0)).item()).isEqualTo(item);
	}

	@ParameterizedTest
	@EnumSource(Action.class)
	void roundTripsEveryAction(Action action) throws Exception {
		PublishItem item = new PublishItem("c", "1", null, Map.of(),
				new HttpResponseFormat(action, 200, null, List.of(), Content.EMPTY, null),
				new HttpStreamFormat(action, Content.EMPTY, null),
				new WsMessageFormat(action, WsMessageType.TEXT, Content.EMPTY, null, null, null), false);
		assertThat(BusCodec.decode(BusCodec.encode(item, 5)).item()).isEqualTo(item);
	}

	@ParameterizedTest
	@EnumSource(WsMessageType.class)
	void roundTripsEveryWsMessageType(WsMessageType type) throws Exception {
		PublishItem item = new PublishItem("c", null, null, Map.of(), null, null,
				new WsMessageFormat(Action.SEND, type, Content.utf8("x"), null, null, null), false);
		assertThat(BusCodec.decode(BusCodec.encode(item, 5)).item().wsMessage()).isEqualTo(item.wsMessage());
	}

	@Test
	void roundTripsNegativeAndLargeNumbers() throws Exception {
		PublishItem item = new PublishItem("c", null, null, Map.of(),
				new HttpResponseFormat(Action.SEND, Integer.MAX_VALUE, null, List.of(), Content.EMPTY, null), null,
				new WsMessageFormat(Action.CLOSE, WsMessageType.TEXT, Content.EMPTY, -1, "", null), false);
		BusCodec.Message decoded = BusCodec.decode(BusCodec.encode(item, -42));
		assertThat(decoded.item()).isEqualTo(item);
		assertThat(decoded.publishedAtMillis()).isEqualTo(-42);
	}

	@Test
	void roundTripsLargeContent() throws Exception {
		byte[] big = new byte[300_000];
		Arrays.fill(big, (byte) 'x');
		PublishItem item = new PublishItem("c", null, null, Map.of(), null,
				new HttpStreamFormat(Action.SEND, Content.of(big), null), null, false);
		assertThat(BusCodec.decode(BusCodec.encode(item, 1)).item()).isEqualTo(item);
	}

	@Test
	void carriesContentRawNotBase64() {
		byte[] encoded = BusCodec.encode(streamOnly("c", "hello, bus"), 1);
		assertThat(new String(encoded, StandardCharsets.ISO_8859_1)).contains("hello, bus");
		assertThat(encoded[0]).isEqualTo((byte) BusCodec.V1);
		// version, millis, channel, ids, flags, meta, action, content: no framing beyond a few bytes
		assertThat(encoded.length).isLessThan(1 + 8 + 2 + 2 + 1 + 1 + 1 + 11 + 4);
	}

	@Test
	void roundTripsContentFiltersAsVersion2() throws Exception {
		PublishItem item = new PublishItem("events-c1", "5", "4", Map.of(),
				new HttpResponseFormat(Action.SEND, 200, null, List.of(), Content.utf8("id: %I"), List.of()),
				new HttpStreamFormat(Action.SEND, Content.utf8("id: %I\n"), List.of("build-id", "var-subst")),
				new WsMessageFormat(Action.SEND, WsMessageType.TEXT, Content.utf8("x"), null, null, null), false);
		byte[] encoded = BusCodec.encode(item, 7);
		assertThat(encoded[0]).isEqualTo((byte) BusCodec.V2);
		BusCodec.Message decoded = BusCodec.decode(encoded);
		assertThat(decoded.item()).isEqualTo(item);
		assertThat(decoded.item().httpResponse().contentFilters()).isEmpty();
		assertThat(decoded.item().wsMessage().contentFilters()).isNull();
	}

	@ParameterizedTest
	@EnumSource(Action.class)
	void roundTripsContentFiltersOfEachFormatAlone(Action action) throws Exception {
		List<String> filters = List.of("build-id");
		PublishItem[] items = {
				new PublishItem("c", null, null, Map.of(),
						new HttpResponseFormat(action, 200, null, List.of(), Content.EMPTY, filters), null, null,
						false),
				new PublishItem("c", null, null, Map.of(), null,
						new HttpStreamFormat(action, Content.EMPTY, filters), null, false),
				new PublishItem("c", null, null, Map.of(), null, null,
						new WsMessageFormat(action, WsMessageType.TEXT, Content.EMPTY, 1000, "r", filters), false) };
		for (PublishItem item : items) {
			assertThat(BusCodec.decode(BusCodec.encode(item, 1)).item()).isEqualTo(item);
		}
	}

	@Test
	void itemWithoutContentFiltersIsWrittenAsVersion1ForOlderNodes() {
		assertThat(BusCodec.encode(everyField(), 1)[0]).isEqualTo((byte) BusCodec.V1);
		assertThat(BusCodec.encode(streamOnly("c", "x"), 1)[0]).isEqualTo((byte) BusCodec.V1);
	}

	@Test
	void readsVersion1WrittenByAnOlderNode() throws Exception {
		// http-stream "hi" on channel "c", published at 1, exactly as Gripway wrote it before version 2
		byte[] v1 = { 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'c', 0, 0, 4, 0, 0, 2, 'h', 'i' };
		assertThat(BusCodec.decode(v1).item()).isEqualTo(streamOnly("c", "hi"));
	}

	@Test
	void rejectsEveryTruncationOfVersion2() {
		PublishItem item = new PublishItem("c", "1", null, Map.of(), null,
				new HttpStreamFormat(Action.SEND, Content.utf8("x"), List.of("build-id", "var-subst")), null, false);
		byte[] encoded = BusCodec.encode(item, 1);
		for (int length = 0; length < encoded.length; length++) {
			byte[] truncated = Arrays.copyOf(encoded, length);
			assertThatExceptionOfType(MalformedBusMessageException.class)
				.as("truncated to %d bytes", length)
				.isThrownBy(() -> BusCodec.decode(truncated));
		}
	}

	@Test
	void rejectsUnknownVersion() {
		byte[] encoded = BusCodec.encode(streamOnly("c", "x"), 1);
		encoded[0] = 3;
		assertThatExceptionOfType(MalformedBusMessageException.class).isThrownBy(() -> BusCodec.decode(encoded))
			.withMessageContaining("unknown bus message version 3");
	}

	@Test
	void rejectsEmptyMessage() {
		assertThatExceptionOfType(MalformedBusMessageException.class)
			.isThrownBy(() -> BusCodec.decode(new byte[0]));
	}

	@Test
	void rejectsEveryTruncation() {
		byte[] encoded = BusCodec.encode(everyField(), 1);
		for (int length = 0; length < encoded.length; length++) {
			byte[] truncated = Arrays.copyOf(encoded, length);
			assertThatExceptionOfType(MalformedBusMessageException.class)
				.as("truncated to %d bytes", length)
				.isThrownBy(() -> BusCodec.decode(truncated));
		}
	}

	@Test
	void rejectsTrailingBytes() {
		byte[] encoded = BusCodec.encode(streamOnly("c", "x"), 1);
		byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
		assertThatExceptionOfType(MalformedBusMessageException.class).isThrownBy(() -> BusCodec.decode(longer))
			.withMessageContaining("after the item");
	}

	@Test
	void rejectsItemWithoutFormat() {
		byte[] encoded = BusCodec.encode(streamOnly("c", ""), 1);
		// flags sit after version, millis and the three strings "c", null, null
		int flagsAt = 1 + 8 + 2 + 1 + 1;
		encoded[flagsAt] = 0;
		byte[] withoutFormat = Arrays.copyOf(encoded, flagsAt + 2);
		assertThatExceptionOfType(MalformedBusMessageException.class)
			.isThrownBy(() -> BusCodec.decode(withoutFormat))
			.withMessageContaining("at least one format");
	}

	@Test
	void rejectsHugeLengthWithoutAllocating() {
		byte[] message = { 1, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07 };
		assertThatExceptionOfType(MalformedBusMessageException.class).isThrownBy(() -> BusCodec.decode(message))
			.withMessageContaining("exceeds");
	}

	@Test
	void rejectsUnknownEnumCode() {
		byte[] encoded = BusCodec.encode(streamOnly("c", ""), 1);
		// the stream action is the byte after flags and the empty meta count
		encoded[1 + 8 + 2 + 1 + 1 + 1 + 1] = 9;
		assertThatExceptionOfType(MalformedBusMessageException.class).isThrownBy(() -> BusCodec.decode(encoded))
			.withMessageContaining("unknown enum code 9");
	}

	@Test
	void rejectsGarbage() {
		byte[] garbage = "not a gripway message".getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(MalformedBusMessageException.class).isThrownBy(() -> BusCodec.decode(garbage));
	}

}
