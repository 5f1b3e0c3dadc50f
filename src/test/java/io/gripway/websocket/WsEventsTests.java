package io.gripway.websocket;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.gripway.http.Content;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The {@code application/websocket-events} encoding, byte for byte as Pushpin and js-grip write it. */
class WsEventsTests {

	static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	static String encoded(WsEvent... events) {
		return new String(WsEvents.encode(List.of(events)), StandardCharsets.UTF_8);
	}

	@Test
	void openIsTypeAndCrlf() {
		assertThat(encoded(WsEvent.OPEN)).isEqualTo("OPEN\r\n");
	}

	@Test
	void textCarriesLowerCaseHexLength() {
		String message = "c:{\"type\": \"subscribe\", \"channel\": \"mychannel\"}";
		assertThat(encoded(WsEvent.text("hello"))).isEqualTo("TEXT 5\r\nhello\r\n");
		assertThat(encoded(WsEvent.text(message))).isEqualTo("TEXT 2f\r\n" + message + "\r\n");
	}

	@Test
	void lengthCountsBytesNotCharacters() {
		assertThat(encoded(WsEvent.text("é"))).isEqualTo("TEXT 2\r\né\r\n");
	}

	@Test
	void emptyMessageKeepsItsLength() {
		assertThat(encoded(WsEvent.text(""))).isEqualTo("TEXT 0\r\n\r\n");
		assertThat(encoded(new WsEvent(WsEvent.Type.PING, Content.EMPTY))).isEqualTo("PING\r\n");
	}

	@Test
	void closeIsBigEndianCodeThenReason() {
		byte[] body = WsEvents.encode(List.of(WsEvent.close(1001, "bye")));
		assertThat(body).isEqualTo(new byte[] { 'C', 'L', 'O', 'S', 'E', ' ', '5', '\r', '\n', 0x03, (byte) 0xe9, 'b',
				'y', 'e', '\r', '\n' });
		assertThat(encoded(WsEvent.close(null, null))).isEqualTo("CLOSE\r\n");
	}

	@Test
	void closeCodeAndReasonAreRead() {
		WsEvent close = WsEvents.decode(new byte[] { 'C', 'L', 'O', 'S', 'E', ' ', '6', '\r', '\n', 0x0f, (byte) 0xa0,
				'g', 'o', 'n', 'e', '\r', '\n' }).get(0);
		assertThat(close.closeCode()).isEqualTo(4000);
		assertThat(close.closeReason()).isEqualTo("gone");
		assertThat(WsEvent.close(null, null).closeCode()).isNull();
	}

	@Test
	void batchRoundTrips() {
		List<WsEvent> events = List.of(WsEvent.OPEN, WsEvent.text("m:hi"),
				new WsEvent(WsEvent.Type.BINARY, Content.of(new byte[] { 0, 13, 10, (byte) 0xff })),
				new WsEvent(WsEvent.Type.PING, Content.utf8("p")), new WsEvent(WsEvent.Type.PONG, Content.EMPTY),
				WsEvent.close(1000, ""), WsEvent.DISCONNECT);
		assertThat(WsEvents.decode(WsEvents.encode(events))).isEqualTo(events);
	}

	@Test
	void upperCaseHexIsRead() {
		byte[] body = bytes("TEXT 1A\r\nabcdefghijklmnopqrstuvwxyz\r\n");
		assertThat(WsEvents.decode(body)).containsExactly(WsEvent.text("abcdefghijklmnopqrstuvwxyz"));
	}

	@Test
	void emptyBodyHasNoEvents() {
		assertThat(WsEvents.decode(new byte[0])).isEmpty();
	}

	static void assertRejected(String body, String... messageParts) {
		assertThatExceptionOfType(InvalidWsEventsException.class).isThrownBy(() -> WsEvents.decode(bytes(body)))
			.satisfies(ex -> assertThat(ex.getMessage()).contains(messageParts));
	}

	@Test
	void badHexLengthIsRejected() {
		assertRejected("TEXT 5g\r\nhello\r\n", "'5g'", "not hex");
		assertRejected("TEXT -5\r\nhello\r\n", "not hex");
		assertRejected("TEXT \r\n\r\n", "not hex");
	}

	@Test
	void truncatedContentIsRejected() {
		assertRejected("TEXT 5\r\nhel", "declares 5 bytes");
		assertRejected("TEXT 5\r\nhello", "declares 5 bytes");
	}

	@Test
	void contentNotEndingInCrlfIsRejected() {
		assertRejected("TEXT 4\r\nhello\r\n", "not followed by CRLF");
	}

	@Test
	void trailingGarbageIsRejected() {
		assertRejected("OPEN\r\nxyz", "offset 6");
		assertRejected("OPEN", "no CRLF");
	}

	@Test
	void unknownTypeIsRejected() {
		assertRejected("OPEN\r\nKEEP-ALIVE\r\n", "unknown event type 'KEEP-ALIVE' at offset 6");
		assertRejected("open\r\n", "'open'");
	}

}
