package io.gripway.instruct;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.junit.jupiter.api.Test;

import static io.gripway.instruct.InstructParserTests.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The JSON form of GRIP instructions, {@code Content-Type: application/grip-instruct} (GRIP reference §1.2). */
class InstructJsonTests {

	private static final String TYPE = "application/grip-instruct";

	@Test
	void fullInstructFromTheReference() {
		Instruct instruct = json("""
				{"hold": {"mode": "stream",
				          "channels": [{"name": "ch", "prev-id": "3", "filters": ["skip-self"]}],
				          "timeout": 20,
				          "keep-alive": {"content": "\\n", "timeout": 20},
				          "meta": {"user": "alice"}},
				 "response": {"code": 200, "reason": "OK", "headers": {"Content-Type": "text/plain"}, "body": "hi\\n"}}
				""");
		assertThat(instruct.hold()).isEqualTo(new HoldInstruction(HoldMode.STREAM,
				List.of(new ChannelSubscription("ch", "3", List.of("skip-self"))), Duration.ofSeconds(20),
				new KeepAlive(Content.utf8("\n"), Duration.ofSeconds(20), KeepAliveMode.INTERVAL)));
		assertThat(instruct.meta()).isEqualTo(Map.of("user", "alice"));
		assertThat(instruct.response()).isEqualTo(
				new ResponseTemplate(200, "OK", headers("Content-Type", "text/plain"), Content.utf8("hi\n")));
	}

	@Test
	void jsonFormRequiresStatus200() {
		assertThatExceptionOfType(InvalidInstructException.class)
			.isThrownBy(() -> InstructParser.parse(500, null, headers("Content-Type", TYPE), Content.utf8("{}")))
			.withMessage("application/grip-instruct response must have status 200, not 500");
	}

	@Test
	void contentTypeParametersAndCaseAreIgnored() {
		Instruct instruct = InstructParser.parse(200, null,
				headers("content-type", "Application/Grip-Instruct; charset=utf-8"), Content.utf8("{}"));
		assertThat(instruct.response()).isEqualTo(emptyResponse(200));
	}

	@Test
	void bodyThatIsNotJsonIsRejected() {
		assertJsonRejected("application/grip-instruct body is not valid JSON", "{\"hold\":");
		assertJsonRejected("application/grip-instruct body is not valid JSON", "{} {}");
	}

	@Test
	void bodyThatIsNotAnObjectIsRejected() {
		assertJsonRejected("application/grip-instruct body must be a JSON object", "[1, 2]");
		assertJsonRejected("application/grip-instruct body must be a JSON object", "");
	}

	@Test
	void missingResponseGivesEmpty200AndDropsTheOriginsHeadersAndBody() {
		Instruct instruct = InstructParser.parse(200, "OK", headers("Content-Type", TYPE, "X-Origin", "1"),
				Content.utf8("{\"hold\": {\"channels\": [{\"name\": \"a\"}]}}"));
		assertThat(instruct.response()).isEqualTo(new ResponseTemplate(200, "OK", List.of(), Content.EMPTY));
	}

	// hold

	@Test
	void holdModeDefaultsToResponseAndTimeoutToFiftyFive() {
		HoldInstruction hold = json("{\"hold\": {\"channels\": [{\"name\": \"a\"}]}}").hold();
		assertThat(hold).isEqualTo(new HoldInstruction(HoldMode.RESPONSE,
				List.of(new ChannelSubscription("a", null, List.of())), Duration.ofSeconds(55), null));
	}

	@Test
	void holdWithUnknownModeIsRejectedInJson() {
		assertJsonRejected("hold.mode must be 'response' or 'stream', not 'Stream'",
				"{\"hold\": {\"mode\": \"Stream\", \"channels\": [{\"name\": \"a\"}]}}");
	}

	@Test
	void holdThatIsNotAnObjectIsRejected() {
		assertJsonRejected("hold must be an object", "{\"hold\": \"response\"}");
	}

	@Test
	void holdWithoutChannelsIsRejectedInJson() {
		assertJsonRejected("hold.channels is required", "{\"hold\": {\"mode\": \"response\"}}");
		assertJsonRejected("hold.channels is required", "{\"hold\": {\"channels\": []}}");
		assertJsonRejected("hold.channels must be a list", "{\"hold\": {\"channels\": \"a\"}}");
	}

	@Test
	void channelWithoutNameIsRejected() {
		assertJsonRejected("hold.channels[1].name must be a string",
				"{\"hold\": {\"channels\": [{\"name\": \"a\"}, {\"prev-id\": \"1\"}]}}");
		assertJsonRejected("hold.channels[0].name must not be empty", "{\"hold\": {\"channels\": [{\"name\": \"\"}]}}");
		assertJsonRejected("hold.channels[0] must be an object", "{\"hold\": {\"channels\": [\"a\"]}}");
	}

	@Test
	void channelFieldsWithWrongTypesAreRejected() {
		assertJsonRejected("hold.channels[0].prev-id must be a string",
				"{\"hold\": {\"channels\": [{\"name\": \"a\", \"prev-id\": 3}]}}");
		assertJsonRejected("hold.channels[0].filters[1] must be a string",
				"{\"hold\": {\"channels\": [{\"name\": \"a\", \"filters\": [\"skip-self\", 1]}]}}");
	}

	@Test
	void sixJsonFiltersAreRejected() {
		assertJsonRejected("hold.channels[0]: too many filters for channel 'a'",
				"{\"hold\": {\"channels\": [{\"name\": \"a\", \"filters\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]}]}}");
	}

	@Test
	void jsonTimeoutBelowMinimumIsClampedAndNegativeIsRejected() {
		assertThat(json("{\"hold\": {\"channels\": [{\"name\": \"a\"}], \"timeout\": 0}}").hold().timeout())
			.isEqualTo(Duration.ofSeconds(5));
		assertJsonRejected("hold.timeout must not be negative",
				"{\"hold\": {\"channels\": [{\"name\": \"a\"}], \"timeout\": -1}}");
		assertJsonRejected("hold.timeout must be an integer number of seconds",
				"{\"hold\": {\"channels\": [{\"name\": \"a\"}], \"timeout\": \"10\"}}");
		assertJsonRejected("hold.timeout must be an integer number of seconds",
				"{\"hold\": {\"channels\": [{\"name\": \"a\"}], \"timeout\": 1.5}}");
	}

	@Test
	void jsonKeepAliveContentBinWinsAndTimeoutDefaultsToFiftyFive() {
		KeepAlive keepAlive = json("""
				{"hold": {"mode": "stream", "channels": [{"name": "a"}],
				          "keep-alive": {"content": "ignored", "content-bin": "AP8="}}}
				""").hold().keepAlive();
		assertThat(keepAlive).isEqualTo(new KeepAlive(Content.of(new byte[] { 0, (byte) 0xff }),
				InstructParser.DEFAULT_KEEP_ALIVE_TIMEOUT, KeepAliveMode.INTERVAL));
	}

	@Test
	void jsonKeepAliveWithBadBase64IsRejected() {
		assertJsonRejected("hold.keep-alive.content-bin is not valid base64",
				"{\"hold\": {\"channels\": [{\"name\": \"a\"}], \"keep-alive\": {\"content-bin\": \"%%\"}}}");
	}

	@Test
	void jsonKeepAliveWithoutContentIsRejected() {
		assertJsonRejected("hold.keep-alive needs a non-empty 'content' or 'content-bin'",
				"{\"hold\": {\"channels\": [{\"name\": \"a\"}], \"keep-alive\": {\"timeout\": 5}}}");
		assertJsonRejected("hold.keep-alive needs a non-empty 'content' or 'content-bin'",
				"{\"hold\": {\"channels\": [{\"name\": \"a\"}], \"keep-alive\": {\"content\": \"\"}}}");
	}

	@Test
	void jsonKeepAliveIsIntervalUnlessAKeepAliveHeaderSetsIdle() {
		String body = "{\"hold\": {\"mode\": \"stream\", \"channels\": [{\"name\": \"a\"}],"
				+ " \"keep-alive\": {\"content\": \"k\", \"timeout\": 7}}}";
		assertThat(json(body).hold().keepAlive().mode()).isEqualTo(KeepAliveMode.INTERVAL);
		KeepAlive keepAlive = json(body, "Grip-Keep-Alive", "x; mode=idle; timeout=30").hold().keepAlive();
		assertThat(keepAlive).isEqualTo(new KeepAlive(Content.utf8("k"), Duration.ofSeconds(7), KeepAliveMode.IDLE));
	}

	@Test
	void jsonMetaValuesMustBeStrings() {
		assertThat(json("{\"hold\": {\"channels\": [{\"name\": \"a\"}], \"meta\": {\"user\": \"a\", \"n\": \"1\"}}}")
			.meta()).isEqualTo(Map.of("user", "a", "n", "1"));
		assertJsonRejected("hold.meta.n must be a string",
				"{\"hold\": {\"channels\": [{\"name\": \"a\"}], \"meta\": {\"n\": 1}}}");
	}

	// response

	@Test
	void jsonHeadersAsPairsMayRepeatANameInOrder() {
		assertThat(json("{\"response\": {\"headers\": [[\"Set-Cookie\", \"a=1\"], [\"Set-Cookie\", \"b=2\"]]}}")
			.response()
			.headers()).containsExactly(new HeaderField("Set-Cookie", "a=1"), new HeaderField("Set-Cookie", "b=2"));
	}

	@Test
	void jsonHeadersAsObject() {
		assertThat(json("{\"response\": {\"headers\": {\"X-A\": \"1\", \"X-B\": \"2\"}}}").response().headers())
			.containsExactly(new HeaderField("X-A", "1"), new HeaderField("X-B", "2"));
	}

	@Test
	void jsonHeadersWithWrongShapeAreRejected() {
		assertJsonRejected("response.headers[0] must be a [name, value] pair of strings",
				"{\"response\": {\"headers\": [[\"X-A\"]]}}");
		assertJsonRejected("response.headers.X-A must be a string", "{\"response\": {\"headers\": {\"X-A\": 1}}}");
		assertJsonRejected("response.headers must be an object or a list", "{\"response\": {\"headers\": \"X\"}}");
	}

	@Test
	void jsonHeadersAreStrippedLikeOriginHeaders() {
		String body = "{\"hold\": {\"channels\": [{\"name\": \"a\"}]}, \"response\": {\"headers\": "
				+ "{\"Grip-X\": \"1\", \"Connection\": \"close\", \"Content-Length\": \"3\", \"X-A\": \"1\"}}}";
		assertThat(json(body).response().headers()).containsExactly(new HeaderField("X-A", "1"));
	}

	@Test
	void bodyBinWinsOverBody() {
		assertThat(json("{\"response\": {\"body\": \"text\", \"body-bin\": \"aGk=\"}}").response().body())
			.isEqualTo(Content.utf8("hi"));
		assertThat(json("{\"response\": {\"body\": \"text\"}}").response().body()).isEqualTo(Content.utf8("text"));
	}

	@Test
	void badBodyBinIsRejected() {
		assertJsonRejected("response.body-bin is not valid base64", "{\"response\": {\"body-bin\": \"a\"}}");
	}

	@Test
	void responseCodeReplacesTheReasonUnlessOneIsGiven() {
		assertThat(json("{\"response\": {\"code\": 404}}").response()).isEqualTo(emptyResponse(404));
		assertThat(json("{\"response\": {\"code\": 404, \"reason\": \"Gone Fishing\"}}").response().reason())
			.isEqualTo("Gone Fishing");
	}

	@Test
	void responseCodeOutOfRangeIsRejected() {
		assertJsonRejected("response.code must be an integer from 0 to 999", "{\"response\": {\"code\": 1000}}");
		assertJsonRejected("response.code must be an integer from 0 to 999", "{\"response\": {\"code\": \"200\"}}");
	}

	@Test
	void responseThatIsNotAnObjectIsRejected() {
		assertJsonRejected("response must be an object", "{\"response\": \"hi\"}");
	}

	@Test
	void nullFieldsMeanNotSet() {
		assertThat(json("{\"hold\": null, \"response\": {\"body\": null, \"code\": null}}").response())
			.isEqualTo(emptyResponse(200));
	}

	// header + JSON merge

	@Test
	void headersAreParsedFirstAndJsonOverridesWhatItSets() {
		Instruct instruct = json("""
				{"hold": {"mode": "stream", "channels": [{"name": "json"}], "timeout": 30, "meta": {"user": "json"}}}
				""", "Grip-Hold", "response", "Grip-Channel", "header", "Grip-Timeout", "10", "Grip-Set-Meta",
				"user=\"header\", room=\"r\"", "Grip-Status", "304");
		assertThat(instruct.hold().mode()).isEqualTo(HoldMode.STREAM);
		// As in Pushpin, JSON channels are added to the header ones.
		assertThat(instruct.hold().channels()).extracting(ChannelSubscription::name).containsExactly("header", "json");
		assertThat(instruct.hold().timeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(instruct.meta()).isEqualTo(Map.of("user", "json", "room", "r"));
		assertThat(instruct.response().code()).isEqualTo(304);
	}

	@Test
	void headerHoldSurvivesJsonWithoutHold() {
		Instruct instruct = json("{\"response\": {\"body\": \"timeout\"}}", "Grip-Hold", "response", "Grip-Channel",
				"a", "Grip-Keep-Alive", "x");
		assertThat(instruct.hold().channels()).extracting(ChannelSubscription::name).containsExactly("a");
		assertThat(instruct.hold().keepAlive().data()).isEqualTo(Content.utf8("x"));
		assertThat(instruct.response().body()).isEqualTo(Content.utf8("timeout"));
	}

	@Test
	void headerErrorsAreReportedEvenWithAJsonBody() {
		assertJsonRejected("Grip-Timeout has invalid value 'x'", "{}", "Grip-Timeout", "x");
	}

	/** What the client gets when the JSON names nothing but (maybe) a code. */
	private static ResponseTemplate emptyResponse(int code) {
		return new ResponseTemplate(code, null, List.of(), Content.EMPTY);
	}

	private static Instruct json(String body, String... extraHeaders) {
		return InstructParser.parse(200, null, withContentType(extraHeaders), Content.utf8(body));
	}

	private static void assertJsonRejected(String message, String body, String... extraHeaders) {
		assertThatExceptionOfType(InvalidInstructException.class).isThrownBy(() -> json(body, extraHeaders))
			.withMessageContaining(message);
	}

	private static List<HeaderField> withContentType(String... extraHeaders) {
		List<HeaderField> headers = new ArrayList<>(headers("Content-Type", TYPE));
		headers.addAll(headers(extraHeaders));
		return headers;
	}

}
