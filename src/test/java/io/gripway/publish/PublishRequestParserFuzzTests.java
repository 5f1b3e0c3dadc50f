package io.gripway.publish;

import io.gripway.test.FuzzInputs;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile publish bodies (issue 12, item 5): whatever arrives, {@link PublishRequestParser#parse} returns items or
 * throws {@link InvalidPublishException} with a message, nothing else.
 */
class PublishRequestParserFuzzTests {

	@Property(tries = 10_000)
	void onlyInvalidPublishExceptionEscapes(@ForAll("bodies") byte[] body) {
		try {
			assertThat(PublishRequestParser.parse(body)).isNotNull();
		}
		catch (InvalidPublishException expected) {
			assertThat(expected.getMessage()).isNotBlank();
		}
	}

	@Provide
	Arbitrary<byte[]> bodies() {
		return FuzzInputs.jsonDocuments();
	}

}
