package io.gripway.gateway;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reason phrases: the one given (Grip-Status, a publish), else Netty's standard one. */
class ClientResponsesTests {

	@Test
	void statusWithoutReasonGetsTheStandardPhrase() {
		assertThat(ClientResponses.status(200, null).reasonPhrase()).isEqualTo("OK");
		assertThat(ClientResponses.status(304, null).reasonPhrase()).isEqualTo("Not Modified");
		// codes a hand-kept table missed: Pushpin's origins use them
		assertThat(ClientResponses.status(422, null).reasonPhrase()).isEqualTo("Unprocessable Entity");
		assertThat(ClientResponses.status(451, null).reasonPhrase()).isNotEqualTo("Unknown");
		assertThat(ClientResponses.status(507, null).reasonPhrase()).isEqualTo("Insufficient Storage");
	}

	@Test
	void givenReasonIsKept() {
		assertThat(ClientResponses.status(404, "Gone Fishing").reasonPhrase()).isEqualTo("Gone Fishing");
		assertThat(ClientResponses.status(409, "Taken").code()).isEqualTo(409);
	}

}
