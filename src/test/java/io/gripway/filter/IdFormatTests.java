package io.gripway.filter;

import java.util.Map;

import io.gripway.http.Content;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class IdFormatTests {

	// renderId: Pushpin's idformattest.cpp cases, then the error rules of format.cpp.

	@Test
	void idTemplateWithoutDirectives() throws Exception {
		assertThat(IdFormat.renderId("This template has no directives.", Map.of()))
			.isEqualTo("This template has no directives.");
	}

	@Test
	void idTemplateWithNamesEscapesAndPercent() throws Exception {
		Map<String, String> values = Map.of("name", "Alice", "food\\fruit(type)", "apples");
		assertThat(IdFormat.renderId("My name is %(name)s and I eat %(food\\\\fruit(type\\))s 10%% of the time.",
				values))
			.isEqualTo("My name is Alice and I eat apples 10% of the time.");
	}

	@Test
	void djangoEventstreamIdFormat() throws Exception {
		// django_eventstream/eventresponse.py: "<channel>:%(events-<channel>)s", joined with ","
		assertThat(IdFormat.renderId("c1:%(events-c1)s,c2:%(events-c2)s", Map.of("events-c1", "5", "events-c2", "7")))
			.isEqualTo("c1:5,c2:7");
	}

	@Test
	void emptyValueIsNotMissing() throws Exception {
		assertThat(IdFormat.renderId("[%(a)s]", Map.of("a", ""))).isEqualTo("[]");
	}

	@Test
	void nonAsciiPassesThrough() throws Exception {
		assertThat(IdFormat.renderId("é:%(ü)s", Map.of("ü", "ß"))).isEqualTo("é:ß");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			c1:%(events-c1)s,c2:%(events-c2)s | No such variable 'events-c2' at position 32
			%                                 | Expected directive after '%' at position 0
			ab%                               | Expected directive after '%' at position 2
			é%                                | Expected directive after '%' at position 2
			a%(                               | Expected character after '(' at position 2
			%(abc                             | Unterminated field starting at position 1
			%(a\\                             | Expected character after '\\' at position 3
			%(a)                              | Expected directive after ')' at position 3
			%(events-c1)d                     | Unknown directive 'd' at position 12
			%(events-c1)I                     | Unknown directive 'I' at position 12
			%(events-c1)5                     | Unknown directive '5' at position 12
			%s                                | Directive 's' requires argument at position 1
			%()s                              | Directive 's' requires argument at position 3
			`% x`                             | Unknown directive ' ' at position 1
			%5                                | Unknown directive '5' at position 1
			""")
	void idTemplateErrorsAreErrorsNotEmptyValues(String template, String message) {
		assertThatExceptionOfType(TemplateException.class)
			.isThrownBy(() -> IdFormat.renderId(template, Map.of("events-c1", "5")))
			.withMessage(message);
	}

	// renderContent: Pushpin's idformattest.cpp cases, then %% and the errors.

	@Test
	void contentWithoutDirectivesIsReturnedAsIs() throws Exception {
		Content content = Content.utf8("This content has no directives.");
		assertThat(IdFormat.renderContent(content, "C3PO", false)).isSameAs(content);
	}

	@Test
	void contentGetsTheDefaultId() throws Exception {
		assertThat(IdFormat.renderContent(Content.utf8("The ID is %I."), "C3PO", false))
			.isEqualTo(Content.utf8("The ID is C3PO."));
	}

	@Test
	void contentGetsTheDefaultIdInHex() throws Exception {
		assertThat(IdFormat.renderContent(Content.utf8("The ID is %I."), "C3PO", true))
			.isEqualTo(Content.utf8("The ID is 4333504f."));
		assertThat(IdFormat.renderContent(Content.utf8("%I"), "é", true)).isEqualTo(Content.utf8("c3a9"));
	}

	@Test
	void contentMayNameItsOwnId() throws Exception {
		assertThat(IdFormat.renderContent(Content.utf8("The ID is %(R2D2)I."), "C3PO", false))
			.isEqualTo(Content.utf8("The ID is R2D2."));
		assertThat(IdFormat.renderContent(Content.utf8("The ID is %(R2D2)I."), "C3PO", true))
			.isEqualTo(Content.utf8("The ID is 52324432."));
		assertThat(IdFormat.renderContent(Content.utf8("%(R2D2)I"), null, false)).isEqualTo(Content.utf8("R2D2"));
	}

	@Test
	void contentPercentIsEscapedAsDoublePercent() throws Exception {
		assertThat(IdFormat.renderContent(Content.utf8("100%% of %I, %%I"), "5", false))
			.isEqualTo(Content.utf8("100% of 5, %I"));
	}

	@Test
	void binaryContentOutsideDirectivesIsCopied() throws Exception {
		byte[] bytes = { (byte) 0xFF, 0, '%', 'I', (byte) 0x80, '%', '%' };
		assertThat(IdFormat.renderContent(Content.of(bytes), "7", false))
			.isEqualTo(Content.of(new byte[] { (byte) 0xFF, 0, '7', (byte) 0x80, '%' }));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			`50% off`            | Unknown directive ' ' at position 3
			id: %s               | Unknown directive 's' at position 5
			id: %(user)s         | Unknown directive 's' at position 11
			%I%                  | Expected directive after '%' at position 2
			`%(unterminated I`   | Unterminated field starting at position 1
			""")
	void contentWithAStrayPercentIsAnError(String content, String message) {
		assertThatExceptionOfType(TemplateException.class)
			.isThrownBy(() -> IdFormat.renderContent(Content.utf8(content), "5", false))
			.withMessage(message);
	}

	@Test
	void contentWithoutADefaultIdCannotUseBareId() {
		assertThatExceptionOfType(TemplateException.class)
			.isThrownBy(() -> IdFormat.renderContent(Content.utf8("id: %I"), null, false))
			.withMessage("No ID specified and no default ID in context at position 5");
	}

}
