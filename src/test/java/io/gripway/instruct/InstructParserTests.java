package io.gripway.instruct;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The header form of GRIP instructions (GRIP reference §1.1), scenarios after Pushpin's instructtest. */
class InstructParserTests {

	// Grip-Hold

	@Test
	void responseHoldWithOneChannel() {
		Instruct instruct = parse("Grip-Hold", "response", "Grip-Channel", "test");
		assertThat(instruct.hold()).isNotNull();
		assertThat(instruct.hold().mode()).isEqualTo(HoldMode.RESPONSE);
		assertThat(instruct.hold().channels()).containsExactly(new ChannelSubscription("test", null, List.of()));
		assertThat(instruct.hold().timeout()).isEqualTo(Duration.ofSeconds(55));
		assertThat(instruct.hold().keepAlive()).isNull();
		assertThat(instruct.meta()).isEmpty();
	}

	@Test
	void streamHold() {
		assertThat(parse("Grip-Hold", "stream", "Grip-Channel", "test").hold().mode()).isEqualTo(HoldMode.STREAM);
	}

	@Test
	void holdHeaderNameIsCaseInsensitive() {
		assertThat(parse("grip-hold", "stream", "GRIP-CHANNEL", "test").hold().mode()).isEqualTo(HoldMode.STREAM);
	}

	@Test
	void holdWithUnknownModeIsRejected() {
		assertRejected("Grip-Hold has invalid value 'bogus'", "Grip-Hold", "bogus", "Grip-Channel", "test");
	}

	@Test
	void holdModeIsCaseSensitive() {
		assertRejected("Grip-Hold has invalid value 'Stream'", "Grip-Hold", "Stream", "Grip-Channel", "test");
	}

	@Test
	void holdWithoutChannelsIsRejected() {
		assertRejected("Grip-Hold requires at least one channel", "Grip-Hold", "response");
	}

	@Test
	void holdWithOnlyEmptyChannelHeaderIsRejected() {
		assertRejected("Grip-Hold requires at least one channel", "Grip-Hold", "response", "Grip-Channel", "");
	}

	@Test
	void channelWithoutHoldIsNoHoldAndTheResponsePassesStripped() {
		Instruct instruct = parse(200, "OK", "hello", "Content-Type", "text/plain", "Grip-Channel", "test",
				"Content-Length", "5");
		assertThat(instruct.hold()).isNull();
		assertThat(instruct.response()).isEqualTo(new ResponseTemplate(200, "OK",
				headers("Content-Type", "text/plain", "Content-Length", "5"), Content.utf8("hello")));
	}

	// Grip-Channel

	@Test
	void channelCommaListWithPrevId() {
		assertThat(parse("Grip-Hold", "response", "Grip-Channel", "a, b; prev-id=3").hold().channels()).containsExactly(
				new ChannelSubscription("a", null, List.of()), new ChannelSubscription("b", "3", List.of()));
	}

	@Test
	void repeatedChannelHeadersAreAllSubscribedInOrder() {
		Instruct instruct = parse("Grip-Channel", "a", "Grip-Hold", "response", "Grip-Channel", "b, c");
		assertThat(instruct.hold().channels()).extracting(ChannelSubscription::name).containsExactly("a", "b", "c");
	}

	@Test
	void quotedPrevIdWithCommaIsOneChannel() {
		assertThat(parse("Grip-Hold", "response", "Grip-Channel", "a; prev-id=\"x,\\\"y\\\"\"").hold().channels())
			.containsExactly(new ChannelSubscription("a", "x,\"y\"", List.of()));
	}

	@Test
	void channelFiltersAreKeptInOrderWithUnknownNames() {
		assertThat(parse("Grip-Hold", "stream", "Grip-Channel", "a; filter=skip-self; filter=future-thing").hold()
			.channels()).containsExactly(new ChannelSubscription("a", null, List.of("skip-self", "future-thing")));
	}

	@Test
	void fiveFiltersAreAllowed() {
		Instruct instruct = parse("Grip-Hold", "stream", "Grip-Channel", "a" + filters(5));
		assertThat(instruct.hold().channels().get(0).filters()).hasSize(5);
	}

	@Test
	void sixFiltersAreRejected() {
		assertRejected("too many filters for channel 'a'", "Grip-Hold", "stream", "Grip-Channel", "a" + filters(6));
	}

	@Test
	void filterWithoutNameIsRejected() {
		assertRejected("channel 'a' has a filter with no name", "Grip-Hold", "stream", "Grip-Channel",
				"a; filter");
	}

	@Test
	void emptyChannelNamesAreIgnored() {
		assertThat(parse("Grip-Hold", "response", "Grip-Channel", "", "Grip-Channel", "a, , b").hold().channels())
			.extracting(ChannelSubscription::name)
			.containsExactly("a", "b");
	}

	@Test
	void emptyPrevIdMeansNone() {
		assertThat(parse("Grip-Hold", "response", "Grip-Channel", "a; prev-id=").hold().channels().get(0).prevId())
			.isNull();
	}

	@Test
	void channelWithUnterminatedQuoteIsRejected() {
		assertRejected("Grip-Channel has invalid value 'a; prev-id=\"3': a quoted string is not terminated",
				"Grip-Hold", "response", "Grip-Channel", "a; prev-id=\"3");
	}

	@Test
	void moreThanTwentyChannelsAreAllReturnedForTheCallerToLimit() {
		List<String> channels = new ArrayList<>();
		for (int i = 0; i < 21; i++) {
			channels.add("Grip-Channel");
			channels.add("c" + i);
		}
		assertThat(responseHold(channels.toArray(String[]::new)).channels()).hasSize(22);
	}

	// Grip-Timeout

	@Test
	void timeoutIsReadInSeconds() {
		assertThat(responseHold("Grip-Timeout", "120").timeout()).isEqualTo(Duration.ofSeconds(120));
	}

	@Test
	void timeoutBelowMinimumIsClampedToFiveSeconds() {
		assertThat(responseHold("Grip-Timeout", "1").timeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(responseHold("Grip-Timeout", "0").timeout()).isEqualTo(InstructParser.MINIMUM_RESPONSE_TIMEOUT);
	}

	@Test
	void timeoutDefaultsToFiftyFiveSeconds() {
		assertThat(responseHold().timeout()).isEqualTo(InstructParser.DEFAULT_RESPONSE_TIMEOUT);
	}

	@Test
	void timeoutThatIsNotAnIntegerIsRejected() {
		assertResponseHoldRejected("Grip-Timeout has invalid value 'abc': expected an integer number of seconds",
				"Grip-Timeout", "abc");
		assertResponseHoldRejected("Grip-Timeout has invalid value '1.5'", "Grip-Timeout", "1.5");
		assertResponseHoldRejected("Grip-Timeout has invalid value ''", "Grip-Timeout", "");
	}

	@Test
	void negativeTimeoutIsRejected() {
		assertResponseHoldRejected("Grip-Timeout has invalid value '-1': must not be negative", "Grip-Timeout", "-1");
	}

	@Test
	void firstTimeoutHeaderWins() {
		assertThat(responseHold("Grip-Timeout", "30", "Grip-Timeout", "40").timeout())
			.isEqualTo(Duration.ofSeconds(30));
	}

	// Grip-Keep-Alive

	@Test
	void keepAliveRawDataWithDefaults() {
		assertThat(streamHold("Grip-Keep-Alive", "ping").keepAlive())
			.isEqualTo(new KeepAlive(Content.utf8("ping"), Duration.ofSeconds(55), KeepAliveMode.IDLE));
	}

	@Test
	void keepAliveCstringIsUnescaped() {
		KeepAlive keepAlive = streamHold("Grip-Keep-Alive", "a\\\\b\\r\\n\\x41\\x7e; format=cstring; timeout=20")
			.keepAlive();
		assertThat(keepAlive.data()).isEqualTo(Content.utf8("a\\b\r\nA~"));
		assertThat(keepAlive.timeout()).isEqualTo(Duration.ofSeconds(20));
	}

	@Test
	void keepAliveCstringAcceptsTabAsJsGripEmitsIt() {
		assertThat(streamHold("Grip-Keep-Alive", "\\t; format=cstring").keepAlive().data())
			.isEqualTo(Content.utf8("\t"));
	}

	@Test
	void keepAliveCstringWithUnknownEscapeIsRejected() {
		assertStreamHoldRejected("unsupported escape '\\q'", "Grip-Keep-Alive",
				"\\q; format=cstring");
	}

	@Test
	void keepAliveCstringWithBadHexEscapeIsRejected() {
		assertStreamHoldRejected("\\x must be followed by two hex digits", "Grip-Keep-Alive", "\\x4; format=cstring");
	}

	@Test
	void keepAliveCstringWithTrailingBackslashIsRejected() {
		assertStreamHoldRejected("lone backslash", "Grip-Keep-Alive",
				"x\\; format=cstring");
	}

	@Test
	void keepAliveBase64IsDecoded() {
		assertThat(streamHold("Grip-Keep-Alive", "AAEC/w==; format=base64; timeout=100").keepAlive())
			.isEqualTo(new KeepAlive(Content.of(new byte[] { 0, 1, 2, (byte) 0xff }), Duration.ofSeconds(100),
					KeepAliveMode.IDLE));
	}

	@Test
	void keepAliveWithBadBase64IsRejected() {
		assertStreamHoldRejected("Grip-Keep-Alive data is not valid base64", "Grip-Keep-Alive", "!!; format=base64");
	}

	@Test
	void keepAliveIntervalMode() {
		assertThat(streamHold("Grip-Keep-Alive", "x; mode=interval").keepAlive().mode())
			.isEqualTo(KeepAliveMode.INTERVAL);
		assertThat(streamHold("Grip-Keep-Alive", "x; mode=idle").keepAlive().mode()).isEqualTo(KeepAliveMode.IDLE);
	}

	@Test
	void keepAliveWithUnknownModeIsRejected() {
		assertStreamHoldRejected("mode must be 'idle' or 'interval', not 'often'", "Grip-Keep-Alive", "x; mode=often");
	}

	@Test
	void keepAliveWithUnknownFormatIsRejected() {
		assertStreamHoldRejected("format must be 'raw', 'cstring' or 'base64', not 'hex'", "Grip-Keep-Alive",
				"x; format=hex");
	}

	@Test
	void keepAliveWithEmptyDataIsRejected() {
		assertStreamHoldRejected(
				"Grip-Keep-Alive has invalid value '; timeout=5': the keep-alive data must not be empty",
				"Grip-Keep-Alive", "; timeout=5");
	}

	@Test
	void keepAliveTimeoutZeroIsRaisedToOneSecond() {
		assertThat(streamHold("Grip-Keep-Alive", "x; timeout=0").keepAlive().timeout())
			.isEqualTo(InstructParser.MINIMUM_KEEP_ALIVE_TIMEOUT);
	}

	@Test
	void keepAliveWithBadTimeoutIsRejected() {
		assertStreamHoldRejected("Grip-Keep-Alive timeout has invalid value 'soon'", "Grip-Keep-Alive",
				"x; timeout=soon");
		assertStreamHoldRejected("Grip-Keep-Alive timeout has invalid value '-2': must not be negative",
				"Grip-Keep-Alive", "x; timeout=-2");
	}

	@Test
	void keepAliveIsNotCommaSplitAndOnlyTheFirstHeaderCounts() {
		assertThat(streamHold("Grip-Keep-Alive", "a, b; timeout=9", "Grip-Keep-Alive", "c").keepAlive())
			.isEqualTo(new KeepAlive(Content.utf8("a, b"), Duration.ofSeconds(9), KeepAliveMode.IDLE));
	}

	@Test
	void keepAliveFromJsGripFixture() {
		HoldInstruction hold = parse("Grip-Channel", "foo", "Grip-Hold", "response", "Grip-Timeout", "100",
				"Grip-Keep-Alive", "bar; format=cstring; timeout=100").hold();
		assertThat(hold.timeout()).isEqualTo(Duration.ofSeconds(100));
		assertThat(hold.keepAlive())
			.isEqualTo(new KeepAlive(Content.utf8("bar"), Duration.ofSeconds(100), KeepAliveMode.IDLE));
	}

	// Grip-Set-Meta

	@Test
	void setMetaReadsEveryQuotedPairAcrossRepeatedHeaders() {
		Instruct instruct = parse("Grip-Hold", "response", "Grip-Channel", "a", "Grip-Set-Meta",
				"user=\"alice\", room=\"a, \\\"b\\\"\"", "Grip-Set-Meta", "user=bob");
		assertThat(instruct.meta()).isEqualTo(Map.of("user", "bob", "room", "a, \"b\""));
	}

	@Test
	void setMetaWithoutHoldIsStillParsed() {
		assertThat(parse("Grip-Set-Meta", "user=\"a\"").meta()).containsEntry("user", "a");
	}

	@Test
	void emptySetMetaIsRejected() {
		assertRejected("Grip-Set-Meta has invalid value '': must not be empty", "Grip-Set-Meta", "");
	}

	@Test
	void setMetaWithEmptyElementIsRejected() {
		assertRejected("has an empty element", "Grip-Set-Meta", "a=\"1\", , b=\"2\"");
	}

	@Test
	void setMetaElementWithoutValueIsRejected() {
		assertRejected("'user' has no value", "Grip-Set-Meta", "user");
	}

	// Grip-Status

	@Test
	void statusWithoutReasonUsesTheStandardPhraseNotTheOrigins() {
		ResponseTemplate response = parse(200, "OK", "", "Grip-Hold", "response", "Grip-Channel", "a", "Grip-Status",
				"304").response();
		assertThat(response.code()).isEqualTo(304);
		assertThat(response.reason()).isNull();
	}

	@Test
	void statusWithReason() {
		ResponseTemplate response = parse("Grip-Status", "404 Not Really Found").response();
		assertThat(response.code()).isEqualTo(404);
		assertThat(response.reason()).isEqualTo("Not Really Found");
	}

	@Test
	void withoutStatusTheOriginsCodeAndReasonAreKept() {
		ResponseTemplate response = parse(202, "Accepted Later", "", "Grip-Channel", "a").response();
		assertThat(response.code()).isEqualTo(202);
		assertThat(response.reason()).isEqualTo("Accepted Later");
	}

	@Test
	void statusOutOfRangeIsRejected() {
		assertRejected("Grip-Status has invalid value '1000'", "Grip-Status", "1000");
		assertRejected("Grip-Status has invalid value '-1'", "Grip-Status", "-1");
	}

	@Test
	void statusThatIsNotANumberIsRejected() {
		assertRejected("Grip-Status has invalid value 'OK 200': expected a status code from 0 to 999",
				"Grip-Status", "OK 200");
	}

	@Test
	void emptyStatusIsIgnored() {
		assertThat(parse("Grip-Status", "").response().code()).isEqualTo(200);
	}

	// Grip-Expose-Headers and stripping

	@Test
	void exposeHeadersForwardsOnlyTheListedOriginHeaders() {
		Instruct instruct = parse("X-A", "1", "X-B", "2", "x-c", "3", "Grip-Expose-Headers", "X-A",
				"Grip-Expose-Headers", "X-C, x-missing");
		assertThat(instruct.response().headers()).containsExactly(new HeaderField("X-A", "1"),
				new HeaderField("x-c", "3"));
	}

	@Test
	void withoutExposeHeadersAllNonGripHeadersAreForwardedInOrder() {
		Instruct instruct = parse("X-A", "1", "Grip-Status", "200", "X-B", "2", "X-A", "3", "grip-whatever", "x");
		assertThat(instruct.response().headers()).containsExactly(new HeaderField("X-A", "1"),
				new HeaderField("X-B", "2"), new HeaderField("X-A", "3"));
	}

	@Test
	void hopByHopAndEncodingHeadersAreStripped() {
		Instruct instruct = parse("Connection", "close", "keep-alive", "timeout=5", "Transfer-Encoding", "chunked",
				"Content-Encoding", "gzip", "Grip-Channel", "a", "Content-Length", "0", "Cache-Control", "no-cache");
		assertThat(instruct.response().headers()).containsExactly(new HeaderField("Content-Length", "0"),
				new HeaderField("Cache-Control", "no-cache"));
	}

	@Test
	void contentLengthIsStrippedWhenHeldBecauseTheProxyReframes() {
		Instruct instruct = parse(200, "OK", "nothing for now\n", "Grip-Hold", "response", "Grip-Channel", "a",
				"Content-Length", "16", "Content-Type", "text/plain");
		assertThat(instruct.response()).isEqualTo(new ResponseTemplate(200, "OK",
				headers("Content-Type", "text/plain"), Content.utf8("nothing for now\n")));
	}

	@Test
	void streamHoldKeepsTheOriginBodyAsTheFirstBytes() {
		assertThat(parse(200, null, "[stream opened]\n", "Grip-Hold", "stream", "Grip-Channel", "a").response().body())
			.isEqualTo(Content.utf8("[stream opened]\n"));
	}

	@Test
	void keepAliveAndTimeoutWithoutHoldAreDropped() {
		Instruct instruct = parse("Grip-Channel", "a", "Grip-Timeout", "10", "Grip-Keep-Alive", "x");
		assertThat(instruct.hold()).isNull();
	}

	// Helpers, shared with InstructJsonTests.

	// Grip-Link

	@Test
	void nextLinkWithDefaultTimeout() {
		Instruct instruct = parse("Grip-Hold", "stream", "Grip-Channel", "c; prev-id=3", "Grip-Link",
				"</events/?link=next&recover=true>; rel=next");
		assertThat(instruct.next()).isEqualTo(new NextLink("/events/?link=next&recover=true", Duration.ofSeconds(120)));
		assertThat(instruct.goneLink()).isNull();
	}

	@Test
	void nextAndGoneLinksInOneHeaderOrTwo() {
		Instruct together = parse("Grip-Link", "</next>; rel=next; timeout=30, </gone?x=1>; rel=gone");
		Instruct apart = parse("Grip-Link", "</next>; rel=next; timeout=30", "Grip-Link", "</gone?x=1>; rel=gone");
		for (Instruct instruct : List.of(together, apart)) {
			assertThat(instruct.next()).isEqualTo(new NextLink("/next", Duration.ofSeconds(30)));
			assertThat(instruct.goneLink()).isEqualTo("/gone?x=1");
			assertThat(instruct.hold()).isNull();
		}
	}

	@Test
	void linkWithUnknownRelOrNoParametersIsIgnored() {
		Instruct instruct = parse("Grip-Link", "</a>; rel=prev, </b>");
		assertThat(instruct.next()).isNull();
		assertThat(instruct.goneLink()).isNull();
	}

	@Test
	void linkOutsideAngleBracketsIsRejected() {
		assertRejected("Grip-Link has invalid value", "Grip-Link", "/next; rel=next");
		assertRejected("Grip-Link has invalid value", "Grip-Link", "<>; rel=next");
	}

	@Test
	void linkWithBadTimeoutIsRejected() {
		assertRejected("Grip-Link timeout", "Grip-Link", "</next>; rel=next; timeout=soon");
		assertRejected("Grip-Link timeout", "Grip-Link", "</next>; rel=next; timeout=-1");
	}

	@Test
	void linkThatIsNoUriIsRejected() {
		assertRejected("is not a valid URI reference", "Grip-Link", "<a b>; rel=next");
	}

	@Test
	void linkHeadersNeverReachTheClient() {
		Instruct instruct = parse("Grip-Link", "</next>; rel=next", "X-Kept", "1");
		assertThat(instruct.response().headers()).containsExactly(new HeaderField("X-Kept", "1"));
	}

	static Instruct parse(String... nameValues) {
		return parse(200, null, "", nameValues);
	}

	static Instruct parse(int status, String reason, String body, String... nameValues) {
		return InstructParser.parse(status, reason, headers(nameValues), Content.utf8(body));
	}

	static List<HeaderField> headers(String... nameValues) {
		List<HeaderField> headers = new ArrayList<>();
		for (int i = 0; i < nameValues.length; i += 2) {
			headers.add(new HeaderField(nameValues[i], nameValues[i + 1]));
		}
		return headers;
	}

	static void assertRejected(String message, String... nameValues) {
		assertThatExceptionOfType(InvalidInstructException.class).isThrownBy(() -> parse(nameValues))
			.withMessageContaining(message);
	}

	private static HoldInstruction responseHold(String... extraHeaders) {
		return parse(withHold("response", extraHeaders)).hold();
	}

	private static HoldInstruction streamHold(String... extraHeaders) {
		return parse(withHold("stream", extraHeaders)).hold();
	}

	private static void assertResponseHoldRejected(String message, String... extraHeaders) {
		assertRejected(message, withHold("response", extraHeaders));
	}

	private static void assertStreamHoldRejected(String message, String... extraHeaders) {
		assertRejected(message, withHold("stream", extraHeaders));
	}

	/** {@code Grip-Hold: mode} and {@code Grip-Channel: test}, then {@code extraHeaders}. */
	private static String[] withHold(String mode, String... extraHeaders) {
		List<String> nameValues = new ArrayList<>(List.of("Grip-Hold", mode, "Grip-Channel", "test"));
		nameValues.addAll(List.of(extraHeaders));
		return nameValues.toArray(String[]::new);
	}

	private static String filters(int count) {
		StringBuilder filters = new StringBuilder();
		for (int i = 0; i < count; i++) {
			filters.append("; filter=f").append(i);
		}
		return filters.toString();
	}

}
