package io.gripway.websocket;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.gripway.test.FuzzInputs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile WebSocket-over-HTTP bodies from origins and hostile GRIP control messages (issue 12, item 5): only the
 * documented exception, with a message; and events that decode encode back to the same events.
 */
class WebSocketParsersFuzzTests {

	@Property(tries = 10_000)
	void eventsDecodeOrThrowInvalidWsEventsException(@ForAll("eventBodies") byte[] body) {
		List<WsEvent> events;
		try {
			events = WsEvents.decode(body);
		}
		catch (InvalidWsEventsException expected) {
			assertThat(expected.getMessage()).isNotBlank();
			return;
		}
		assertThat(WsEvents.decode(WsEvents.encode(events))).isEqualTo(events);
	}

	@Property(tries = 10_000)
	void controlMessagesParseOrThrowInvalidControlMessageException(@ForAll("controlMessages") String json) {
		try {
			assertThat(ControlMessages.parse(json)).isNotNull();
		}
		catch (InvalidControlMessageException expected) {
			assertThat(expected.getMessage()).isNotBlank();
		}
	}

	@Provide
	Arbitrary<byte[]> eventBodies() {
		Arbitrary<String> event = Arbitraries.of("TEXT", "BINARY", "OPEN", "CLOSE", "PING", "PONG", "DISCONNECT",
				"text", "TEXT ", "BOGUS", "")
			.flatMap((type) -> Arbitraries.oneOf(Arbitraries.just(type + "\r\n"),
					Arbitraries.strings().ofMaxLength(8).map((content) -> type + " "
							+ Integer.toHexString(content.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + content
							+ "\r\n"),
					FuzzInputs.headerValues().map((junk) -> type + " " + junk + "\r\n")));
		Arbitrary<byte[]> events = event.list().ofMaxSize(5).map((list) -> String.join("", list).getBytes(
				StandardCharsets.UTF_8));
		return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, events),
				net.jqwik.api.Tuple.of(3, FuzzInputs.corrupted(events)), net.jqwik.api.Tuple.of(1, FuzzInputs.bytes()));
	}

	@Provide
	Arbitrary<String> controlMessages() {
		return FuzzInputs.jsonDocuments().map(FuzzInputs::utf8);
	}

}
