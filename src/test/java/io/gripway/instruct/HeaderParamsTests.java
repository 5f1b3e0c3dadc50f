package io.gripway.instruct;

import java.util.List;

import io.gripway.instruct.HeaderParams.Element;
import io.gripway.instruct.HeaderParams.Param;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HeaderParamsTests {

	@Test
	void listIsSplitOnCommas() {
		assertThat(HeaderParams.parseList("a, b; prev-id=3"))
			.containsExactly(new Element("a", List.of()), new Element("b", List.of(new Param("prev-id", "3"))));
	}

	@Test
	void commaInsideQuotesDoesNotSplit() {
		List<Element> elements = HeaderParams.parseList("a; filter=\"x,y\", b");
		assertThat(elements).extracting(Element::first).containsExactly("a", "b");
		assertThat(elements.get(0).get("filter")).isEqualTo("x,y");
	}

	@Test
	void quotedValueIsUnescaped() {
		Element element = HeaderParams.parse("a; k=\"quoted \\\"esc\\\" \\\\ end\"");
		assertThat(element.get("k")).isEqualTo("quoted \"esc\" \\ end");
	}

	@Test
	void quotedValueKeepsItsSpacesAndSemicolons() {
		assertThat(HeaderParams.parse("a; k=\"  x; y \"; j=2").params())
			.containsExactly(new Param("k", "  x; y "), new Param("j", "2"));
	}

	@Test
	void escapedQuoteInsideQuotesDoesNotEndTheQuote() {
		assertThat(HeaderParams.parseList("a; k=\"x\\\",y\", b")).extracting(Element::first).containsExactly("a", "b");
	}

	@Test
	void parameterNamesMatchIgnoringCaseButKeepTheirCase() {
		Element element = HeaderParams.parse("a; Prev-ID=7");
		assertThat(element.get("prev-id")).isEqualTo("7");
		assertThat(element.has("PREV-id")).isTrue();
		assertThat(element.params()).containsExactly(new Param("Prev-ID", "7"));
	}

	@Test
	void unquotedValuesAndNamesAreTrimmed() {
		assertThat(HeaderParams.parse("  a  ;  k =  v  ;flag").params())
			.containsExactly(new Param("k", "v"), new Param("flag", null));
		assertThat(HeaderParams.parse("  a  ;  k =  v").first()).isEqualTo("a");
	}

	@Test
	void parameterWithoutValueHasNullValue() {
		Element element = HeaderParams.parse("a; flag; k=");
		assertThat(element.params()).containsExactly(new Param("flag", null), new Param("k", ""));
		assertThat(element.get("flag")).isNull();
		assertThat(element.has("flag")).isTrue();
		assertThat(element.get("missing")).isNull();
	}

	@Test
	void repeatedParameterKeepsEveryValueInOrder() {
		assertThat(HeaderParams.parse("a; filter=x; filter=\"y\"; Filter=z").getAll("filter"))
			.containsExactly("x", "y", "z");
	}

	@Test
	void strayParameterSeparatorsAreIgnored() {
		assertThat(HeaderParams.parse("a;; k=1;").params()).containsExactly(new Param("k", "1"));
	}

	@Test
	void singleElementParseDoesNotSplitOnCommas() {
		Element element = HeaderParams.parse("one, two; timeout=5");
		assertThat(element.first()).isEqualTo("one, two");
		assertThat(element.get("timeout")).isEqualTo("5");
	}

	@Test
	void blankListHasNoElements() {
		assertThat(HeaderParams.parseList("")).isEmpty();
		assertThat(HeaderParams.parseList("   ")).isEmpty();
	}

	@Test
	void blankElementInTheMiddleIsKeptAndTrailingCommaAddsNothing() {
		assertThat(HeaderParams.parseList("a, , b,")).extracting(Element::first).containsExactly("a", "", "b");
	}

	@Test
	void allParametersModeParsesEveryElementAsKeyValues() {
		assertThat(HeaderParams.parseParameterList("user=\"alice\", room=\"a, b\"; x=1"))
			.containsExactly(List.of(new Param("user", "alice")),
					List.of(new Param("room", "a, b"), new Param("x", "1")));
	}

	@Test
	void allParametersModeGivesAnEmptyElementForABlankOne() {
		assertThat(HeaderParams.parseParameterList("a=1, , b=2")).containsExactly(List.of(new Param("a", "1")),
				List.of(), List.of(new Param("b", "2")));
	}

	@Test
	void unterminatedQuoteIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> HeaderParams.parseList("a; k=\"open, b"))
			.withMessageContaining("not terminated");
		assertThatIllegalArgumentException().isThrownBy(() -> HeaderParams.parse("a; k=\"open"))
			.withMessageContaining("not terminated");
	}

	@Test
	void backslashAtTheEndOfAQuoteIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> HeaderParams.parse("a; k=\"x\\"));
	}

	@Test
	void valueWithoutNameIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> HeaderParams.parse("a; =x"))
			.withMessageContaining("no name");
	}

	@Test
	void elementsAreImmutable() {
		List<Element> elements = HeaderParams.parseList("a; k=1");
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> elements.get(0).params().clear());
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(elements::clear);
	}

}
