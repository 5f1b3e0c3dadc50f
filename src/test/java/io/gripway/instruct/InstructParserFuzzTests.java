package io.gripway.instruct;

import java.util.ArrayList;
import java.util.List;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.gripway.test.FuzzInputs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile origin responses (issue 12, item 5): any mix of {@code Grip-*} headers with any values, and any
 * {@code application/grip-instruct} body, gives an {@link Instruct} or {@link InvalidInstructException} with a
 * message, nothing else.
 */
class InstructParserFuzzTests {

	private static final List<String> NAMES = List.of(GripHeaders.GRIP_HOLD, GripHeaders.GRIP_CHANNEL,
			GripHeaders.GRIP_TIMEOUT, GripHeaders.GRIP_KEEP_ALIVE, GripHeaders.GRIP_SET_META, GripHeaders.GRIP_STATUS,
			GripHeaders.GRIP_EXPOSE_HEADERS, GripHeaders.GRIP_LINK, GripHeaders.GRIP_LAST, "grip-hold", "Content-Type",
			"X-Other");

	@Property(tries = 10_000)
	void headerFormGivesAnInstructOrInvalidInstructException(@ForAll("headers") List<HeaderField> headers,
			@ForAll("statuses") int status) {
		parse(status, headers, Content.utf8("timeout\n"));
	}

	@Property(tries = 10_000)
	void jsonFormGivesAnInstructOrInvalidInstructException(@ForAll("instructBodies") byte[] body,
			@ForAll("statuses") int status) {
		parse(status, List.of(new HeaderField("Content-Type", GripHeaders.INSTRUCT_CONTENT_TYPE)), Content.of(body));
	}

	private static void parse(int status, List<HeaderField> headers, Content body) {
		try {
			assertThat(InstructParser.parse(status, null, headers, body)).isNotNull();
		}
		catch (InvalidInstructException expected) {
			assertThat(expected.getMessage()).isNotBlank();
		}
	}

	@Provide
	Arbitrary<Integer> statuses() {
		return Arbitraries.oneOf(Arbitraries.of(200, 304, 404, 502), Arbitraries.integers().between(100, 999));
	}

	@Provide
	Arbitrary<List<HeaderField>> headers() {
		Arbitrary<HeaderField> field = Combinators.combine(Arbitraries.of(NAMES), FuzzInputs.headerValues())
			.as(HeaderField::new);
		return Combinators.combine(Arbitraries.of("response", "stream", "bogus"), field.list().ofMaxSize(8))
			.as((hold, others) -> {
				List<HeaderField> all = new ArrayList<>();
				all.add(new HeaderField(GripHeaders.GRIP_HOLD, hold));
				all.addAll(others);
				return all;
			});
	}

	@Provide
	Arbitrary<byte[]> instructBodies() {
		return FuzzInputs.jsonDocuments();
	}

}
