package io.gripway.publish;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PublishRequestParserTests {

	// Top level: Pushpin's exact texts.

	@ParameterizedTest
	@ValueSource(strings = { "", "{", "not json", "{\"items\": []} trailing", "{\"items\": [,]}" })
	void bodyIsNotValidJson(String body) {
		assertInvalid(body, "Body is not valid JSON.");
	}

	@ParameterizedTest
	@ValueSource(strings = { "[]", "\"items\"", "42", "null" })
	void topLevelNotAnObjectIsInvalidFormat(String body) {
		assertInvalid(body, "Invalid format.");
	}

	@Test
	void objectWithoutItems() {
		assertInvalid("{\"item\": []}", "Invalid format: object does not contain 'items'");
	}

	@ParameterizedTest
	@ValueSource(strings = { "{}", "\"a\"", "null", "1" })
	void itemsWithWrongType(String items) {
		assertInvalid("{\"items\": " + items + "}", "Invalid format: object contains 'items' with wrong type");
	}

	@Test
	void noItemsIsValid() {
		assertThat(parse("{\"items\": []}")).isEmpty();
	}

	// Item fields.

	@Test
	void fullItem() {
		PublishItem item = single("{\"channel\": \"ch\", \"id\": \"2\", \"prev-id\": \"1\","
				+ " \"meta\": {\"sender\": \"alice\"}, \"size\": 10, \"no-seq\": true,"
				+ " \"formats\": {\"http-stream\": {\"content\": \"hi\\n\"}}}");
		assertThat(item.channel()).isEqualTo("ch");
		assertThat(item.id()).isEqualTo("2");
		assertThat(item.prevId()).isEqualTo("1");
		assertThat(item.meta()).isEqualTo(Map.of("sender", "alice"));
		assertThat(item.noSeq()).isTrue();
		assertThat(item.httpStream()).isEqualTo(new HttpStreamFormat(Action.SEND, Content.utf8("hi\n"), null));
		assertThat(item.httpResponse()).isNull();
		assertThat(item.wsMessage()).isNull();
	}

	@Test
	void optionalItemFieldsDefault() {
		PublishItem item = single(
				"{\"channel\": \"ch\", \"id\": null, \"formats\": {\"http-stream\": {\"content\": \"x\"}}}");
		assertThat(item.id()).isNull();
		assertThat(item.prevId()).isNull();
		assertThat(item.meta()).isEmpty();
		assertThat(item.noSeq()).isFalse();
	}

	@Test
	void legacyFormatsOnTheItem() {
		PublishItem item = single("{\"channel\": \"ch\", \"http-stream\": {\"content\": \"s\"},"
				+ " \"http-response\": {\"body\": \"r\"}, \"ws-message\": {\"content\": \"w\"}}");
		assertThat(item.httpStream().content()).isEqualTo(Content.utf8("s"));
		assertThat(item.httpResponse().body()).isEqualTo(Content.utf8("r"));
		assertThat(item.wsMessage().content()).isEqualTo(Content.utf8("w"));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			{"id": "1", "formats": {"http-stream": {"content": "x"}}}                | item 1 does not contain 'channel'
			{"channel": null, "formats": {"http-stream": {"content": "x"}}}          | item 1 does not contain 'channel'
			{"channel": 5, "formats": {"http-stream": {"content": "x"}}}             | item 1 contains 'channel' with wrong type
			{"channel": "", "formats": {"http-stream": {"content": "x"}}}            | item 1 contains 'channel' with invalid value: must not be empty
			{"channel": "c", "id": 1, "formats": {"http-stream": {"content": "x"}}}  | item 1 contains 'id' with wrong type
			{"channel": "c", "prev-id": [], "formats": {"http-stream": {"content": "x"}}} | item 1 contains 'prev-id' with wrong type
			{"channel": "c", "meta": [], "formats": {"http-stream": {"content": "x"}}}    | item 1 contains 'meta' with wrong type
			{"channel": "c", "meta": {"a": 1}, "formats": {"http-stream": {"content": "x"}}} | 'meta' of item 1 contains 'a' with wrong type
			{"channel": "c", "no-seq": "yes", "formats": {"http-stream": {"content": "x"}}}  | item 1 contains 'no-seq' with wrong type
			{"channel": "c", "size": -1, "formats": {"http-stream": {"content": "x"}}}       | item 1 contains 'size' with invalid value: must be 0 to 2147483647
			{"channel": "c", "size": 1.5, "formats": {"http-stream": {"content": "x"}}}      | item 1 contains 'size' with wrong type
			{"channel": "c"}                                                         | no formats specified in item 1
			{"channel": "c", "formats": {}}                                          | no formats specified in item 1
			{"channel": "c", "formats": {"other": {}}}                               | no formats specified in item 1
			{"channel": "c", "formats": []}                                          | item 1 contains 'formats' with wrong type
			{"channel": "c", "formats": {"http-stream": "x"}}                        | 'formats' of item 1 contains 'http-stream' with wrong type
			"c"                                                                      | item 1 is not an object
			""")
	void invalidItem(String item, String error) {
		assertInvalid(items(item), "Invalid format: " + error);
	}

	@Test
	void secondItemBadRejectsTheWholeRequest() {
		assertInvalid("{\"items\": [" + stream("a", "{\"content\": \"x\"}") + ", {\"channel\": \"b\"}]}",
				"Invalid format: no formats specified in item 2");
	}

	@Test
	void itemsKeepRequestOrder() {
		List<PublishItem> items = parse("{\"items\": [" + stream("a", "{\"content\": \"1\"}") + ", "
				+ stream("b", "{\"content\": \"2\"}") + "]}");
		assertThat(items).extracting(PublishItem::channel).containsExactly("a", "b");
	}

	// Actions.

	@ParameterizedTest
	@CsvSource({ "send, SEND", "hint, HINT", "close, CLOSE", "refresh, REFRESH" })
	void actions(String action, Action expected) {
		PublishItem item = single("{\"channel\": \"c\", \"formats\": {\"http-stream\": {\"action\": \"" + action
				+ "\", \"content\": \"x\"}, \"http-response\": {\"action\": \"" + action
				+ "\", \"body\": \"x\"}, \"ws-message\": {\"action\": \"" + action + "\", \"content\": \"x\"}}}");
		assertThat(List.of(item.httpStream().action(), item.httpResponse().action(), item.wsMessage().action()))
			.containsOnly(expected);
	}

	@Test
	void unknownActionNamesFormatAndItem() {
		assertInvalid(items(stream("c", "{\"action\": \"x\", \"content\": \"y\"}")),
				"Invalid format: unknown action 'x' in 'http-stream' of item 1");
	}

	@Test
	void actionWithWrongType() {
		assertInvalid(items(format("c", "ws-message", "{\"action\": 1}")),
				"Invalid format: 'ws-message' of item 1 contains 'action' with wrong type");
	}

	// http-response.

	@Test
	void httpResponseDefaults() {
		HttpResponseFormat format = single(format("c", "http-response", "{\"body\": \"hello\"}")).httpResponse();
		assertThat(format)
			.isEqualTo(new HttpResponseFormat(Action.SEND, 200, null, List.of(), Content.utf8("hello"), null));
	}

	@Test
	void httpResponseWithObjectHeadersDropsGripHeaders() {
		HttpResponseFormat format = single(format("c", "http-response", "{\"code\": 201, \"reason\": \"Made\","
				+ " \"headers\": {\"Content-Type\": \"text/plain\", \"grip-hold\": \"stream\", \"X-A\": \"1\"},"
				+ " \"body\": \"\"}")).httpResponse();
		assertThat(format.code()).isEqualTo(201);
		assertThat(format.reason()).isEqualTo("Made");
		assertThat(format.headers()).containsExactly(new HeaderField("Content-Type", "text/plain"),
				new HeaderField("X-A", "1"));
		assertThat(format.body()).isEqualTo(Content.EMPTY);
	}

	@Test
	void httpResponseWithPairHeadersAndBodyBin() {
		HttpResponseFormat format = single(format("c", "http-response",
				"{\"headers\": [[\"Set-Cookie\", \"a=1\"], [\"Set-Cookie\", \"b=2\"], [\"Grip-Channel\", \"x\"]],"
						+ " \"body-bin\": \"AAEC/w==\"}"))
			.httpResponse();
		assertThat(format.headers()).containsExactly(new HeaderField("Set-Cookie", "a=1"),
				new HeaderField("Set-Cookie", "b=2"));
		assertThat(format.body()).isEqualTo(Content.of(new byte[] { 0, 1, 2, (byte) 0xff }));
	}

	@ParameterizedTest
	@CsvSource({ "'\"404\"', 404", "'\" 0 \"', 0", "999, 999", "0, 0", "200.0, 200" })
	void httpResponseCodeAsNumberOrNumericString(String code, int expected) {
		assertThat(single(format("c", "http-response", "{\"code\": " + code + ", \"body\": \"\"}")).httpResponse()
			.code()).isEqualTo(expected);
	}

	@Test
	void httpResponseBodyWinsOverBodyBin() {
		assertThat(single(format("c", "http-response", "{\"body\": \"t\", \"body-bin\": \"AA==\"}")).httpResponse()
			.body()).isEqualTo(Content.utf8("t"));
	}

	@Test
	void httpResponseHintNeedsNoBody() {
		assertThat(single(format("c", "http-response", "{\"action\": \"hint\"}")).httpResponse())
			.isEqualTo(new HttpResponseFormat(Action.HINT, 200, null, List.of(), Content.EMPTY, null));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			{}                                  | 'http-response' of item 1 does not contain 'body', 'body-bin', or 'body-patch'
			{"body": 1}                         | 'http-response' of item 1 contains 'body' with wrong type
			{"body-bin": "!!"}                  | 'http-response' of item 1 contains 'body-bin' with invalid value: not valid base64
			{"body-patch": []}                  | 'http-response' of item 1 contains 'body-patch': body-patch is not supported, send 'body' or 'body-bin'
			{"code": 1000, "body": ""}          | 'http-response' of item 1 contains 'code' with invalid value: must be 0 to 999
			{"code": -1, "body": ""}            | 'http-response' of item 1 contains 'code' with invalid value: must be 0 to 999
			{"code": 99999999999, "body": ""}   | 'http-response' of item 1 contains 'code' with invalid value: must be 0 to 999
			{"code": "abc", "body": ""}         | 'http-response' of item 1 contains 'code' with wrong type
			{"code": 200.5, "body": ""}         | 'http-response' of item 1 contains 'code' with wrong type
			{"code": true, "body": ""}          | 'http-response' of item 1 contains 'code' with wrong type
			{"reason": 5, "body": ""}           | 'http-response' of item 1 contains 'reason' with wrong type
			{"reason": "a\\r\\nb", "body": ""}  | 'http-response' of item 1 contains 'reason' with invalid value: contains a line break or NUL
			{"headers": "x", "body": ""}        | 'http-response' of item 1 contains 'headers' with wrong type
			{"headers": {"A": 1}, "body": ""}   | 'http-response' of item 1 contains 'headers' with invalid value: the value of 'A' is not a string
			{"headers": [["A"]], "body": ""}    | 'http-response' of item 1 contains 'headers' with invalid value: entry 1 is not a [name, value] pair of strings
			{"headers": [["A", 1]], "body": ""} | 'http-response' of item 1 contains 'headers' with invalid value: entry 1 is not a [name, value] pair of strings
			{"headers": ["A"], "body": ""}      | 'http-response' of item 1 contains 'headers' with invalid value: entry 1 is not a [name, value] pair of strings
			{"headers": {"A B": "1"}, "body": ""}    | 'http-response' of item 1 contains 'headers' with invalid value: 'A B' is not a valid header name
			{"headers": {"A": "1\\nB: 2"}, "body": ""} | 'http-response' of item 1 contains 'headers' with invalid value: contains a line break or NUL
			""")
	void invalidHttpResponse(String format, String error) {
		assertInvalid(items(format("c", "http-response", format)), "Invalid format: " + error);
	}

	// http-stream.

	@Test
	void httpStreamContentBin() {
		assertThat(single(stream("c", "{\"content-bin\": \"aGk=\"}")).httpStream().content())
			.isEqualTo(Content.utf8("hi"));
	}

	@Test
	void httpStreamCloseAsJsGripSendsIt() {
		assertThat(single(stream("c", "{\"action\": \"close\", \"content\": \"\"}")).httpStream())
			.isEqualTo(new HttpStreamFormat(Action.CLOSE, Content.EMPTY, null));
	}

	@Test
	void httpStreamHintNeedsNoContent() {
		assertThat(single(stream("c", "{\"action\": \"hint\"}")).httpStream())
			.isEqualTo(new HttpStreamFormat(Action.HINT, Content.EMPTY, null));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			{}                       | 'http-stream' of item 1 does not contain 'content' or 'content-bin'
			{"content": null}        | 'http-stream' of item 1 does not contain 'content' or 'content-bin'
			{"content": {}}          | 'http-stream' of item 1 contains 'content' with wrong type
			{"content-bin": 1}       | 'http-stream' of item 1 contains 'content-bin' with wrong type
			{"content-bin": "a=b="}  | 'http-stream' of item 1 contains 'content-bin' with invalid value: not valid base64
			""")
	void invalidHttpStream(String format, String error) {
		assertInvalid(items(stream("c", format)), "Invalid format: " + error);
	}

	// ws-message.

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			{"content": "hi"}                       | TEXT   | hi
			{"content-bin": "aGk="}                 | BINARY | hi
			{"type": "binary", "content": "hi"}     | BINARY | hi
			{"type": "text", "content-bin": "aGk="} | TEXT   | hi
			{"type": "ping"}                        | PING   | ``
			{"type": "pong", "content": "hi"}       | PONG   | hi
			""")
	void wsMessageSend(String format, WsMessageType type, String content) {
		assertThat(single(format("c", "ws-message", format)).wsMessage())
			.isEqualTo(new WsMessageFormat(Action.SEND, type, Content.utf8(content), null, null, null));
	}

	@Test
	void wsMessageCloseWithCodeAndReason() {
		String close = "{\"action\": \"close\", \"code\": 1013, \"reason\": \"bye for now\"}";
		assertThat(single(format("c", "ws-message", close)).wsMessage())
			.isEqualTo(new WsMessageFormat(Action.CLOSE, WsMessageType.TEXT, Content.EMPTY, 1013, "bye for now", null));
	}

	@Test
	void wsMessageCloseAndRefreshNeedNothing() {
		assertThat(single(format("c", "ws-message", "{\"action\": \"close\"}")).wsMessage())
			.isEqualTo(new WsMessageFormat(Action.CLOSE, WsMessageType.TEXT, Content.EMPTY, null, null, null));
		assertThat(single(format("c", "ws-message", "{\"action\": \"refresh\"}")).wsMessage())
			.isEqualTo(new WsMessageFormat(Action.REFRESH, WsMessageType.TEXT, Content.EMPTY, null, null, null));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			{}                                          | 'ws-message' of item 1 does not contain 'content' or 'content-bin'
			{"type": "binary"}                          | 'ws-message' of item 1 does not contain 'content' or 'content-bin'
			{"type": "close", "content": "x"}           | 'ws-message' of item 1 contains 'type' with invalid value: must be text, binary, ping or pong
			{"type": 1, "content": "x"}                 | 'ws-message' of item 1 contains 'type' with wrong type
			{"content-bin": "%%%"}                      | 'ws-message' of item 1 contains 'content-bin' with invalid value: not valid base64
			{"action": "close", "code": -1}             | 'ws-message' of item 1 contains 'code' with invalid value: must be 0 to 65535
			{"action": "close", "code": "x"}            | 'ws-message' of item 1 contains 'code' with wrong type
			{"action": "close", "reason": 1}            | 'ws-message' of item 1 contains 'reason' with wrong type
			""")
	void invalidWsMessage(String format, String error) {
		assertInvalid(items(format("c", "ws-message", format)), "Invalid format: " + error);
	}

	@Test
	void wsControlPayloadsRespectFrameLimits() {
		String ping = "x".repeat(126);
		assertInvalid(items(format("c", "ws-message", "{\"type\": \"ping\", \"content\": \"" + ping + "\"}")),
				"Invalid format: 'ws-message' of item 1 contains 'content' with invalid value: "
						+ "a ping or pong carries at most 125 bytes");
		String reason = "x".repeat(124);
		assertInvalid(items(format("c", "ws-message", "{\"action\": \"close\", \"reason\": \"" + reason + "\"}")),
				"Invalid format: 'ws-message' of item 1 contains 'reason' with invalid value: "
						+ "longer than 123 bytes of UTF-8");
	}

	// content-filters (reference §2.3), on every format.

	@ParameterizedTest
	@ValueSource(strings = { "http-response", "http-stream", "ws-message" })
	void contentFiltersOnEachFormat(String name) {
		String content = name.equals("http-response") ? "body" : "content";
		Format format = onlyFormat(single(format("c", name,
				"{\"" + content + "\": \"x\", \"content-filters\": [\"build-id\", \"var-subst\"]}")));
		assertThat(format.contentFilters()).containsExactly("build-id", "var-subst");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", ", \"content-filters\": null" })
	void contentFiltersAbsentOrNullAreNotGiven(String field) {
		assertThat(single(stream("c", "{\"content\": \"x\"" + field + "}")).httpStream().contentFilters()).isNull();
	}

	@Test
	void emptyContentFiltersAreGiven() {
		// an empty list still asks for a check: only subscriptions without content filters match
		assertThat(single(stream("c", "{\"content\": \"x\", \"content-filters\": []}")).httpStream()
			.contentFilters()).isEmpty();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			http-response | {"body": "", "content-filters": "build-id"}       | 'http-response' of item 1 contains 'content-filters' with wrong type
			http-stream   | {"content": "", "content-filters": {}}            | 'http-stream' of item 1 contains 'content-filters' with wrong type
			ws-message    | {"content": "", "content-filters": 1}             | 'ws-message' of item 1 contains 'content-filters' with wrong type
			http-stream   | {"content": "", "content-filters": ["a", 1]}      | 'http-stream' of item 1 contains 'content-filters' with wrong type: element 2 is not a string
			ws-message    | {"content": "", "content-filters": [null]}        | 'ws-message' of item 1 contains 'content-filters' with wrong type: element 1 is not a string
			http-response | {"body": "", "content-filters": [["build-id"]]}   | 'http-response' of item 1 contains 'content-filters' with wrong type: element 1 is not a string
			""")
	void invalidContentFilters(String name, String format, String error) {
		assertInvalid(items(format("c", name, format)), "Invalid format: " + error);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			http-response | {"action": "hint", "content-filters": 5}
			http-stream   | {"action": "close", "content-filters": "x"}
			ws-message    | {"action": "close", "content-filters": ["build-id"]}
			ws-message    | {"action": "refresh", "content-filters": [1]}
			""")
	void contentFiltersAreReadForSendOnly(String name, String format) {
		// Pushpin's publishformat.cpp reads content-filters inside its send branch only
		assertThat(onlyFormat(single(format("c", name, format))).contentFilters()).isNull();
	}

	@Test
	void djangoEventstreamPublish() {
		// django_eventstream/utils.py publish_event: an SSE event whose id the proxy builds, with % escaped as %%
		PublishItem item = single("{\"channel\": \"events-c1\", \"id\": \"5\", \"prev-id\": \"4\","
				+ " \"formats\": {\"http-stream\": {\"content\": \"event: message\\nid: %I\\ndata: 100%%\\n\\n\","
				+ " \"content-filters\": [\"build-id\"]}}}");
		assertThat(item.httpStream()).isEqualTo(new HttpStreamFormat(Action.SEND,
				Content.utf8("event: message\nid: %I\ndata: 100%%\n\n"), List.of("build-id")));
	}

	// What @fanoutio/grip's Publisher sends (reference §7.2).

	@Test
	void jsGripPublishHttpStream() {
		PublishItem item = single("{\"formats\":{\"http-stream\":{\"content\":\"data: hi\\n\\n\"}},"
				+ "\"id\":\"2\",\"prev-id\":\"1\",\"channel\":\"p-ch\"}");
		assertThat(item).isEqualTo(new PublishItem("p-ch", "2", "1", Map.of(), null,
				new HttpStreamFormat(Action.SEND, Content.utf8("data: hi\n\n"), null), null, false));
	}

	@Test
	void jsGripHttpResponseWithStringCode() {
		HttpResponseFormat format = single(format("c", "http-response",
				"{\"code\":\"404\",\"reason\":\"Nope\",\"headers\":{\"X\":\"y\"},\"body\":\"gone\"}")).httpResponse();
		List<HeaderField> headers = List.of(new HeaderField("X", "y"));
		assertThat(format)
			.isEqualTo(new HttpResponseFormat(Action.SEND, 404, "Nope", headers, Content.utf8("gone"), null));
	}

	private static Format onlyFormat(PublishItem item) {
		List<Format> formats = new ArrayList<>();
		if (item.httpResponse() != null) {
			formats.add(item.httpResponse());
		}
		if (item.httpStream() != null) {
			formats.add(item.httpStream());
		}
		if (item.wsMessage() != null) {
			formats.add(item.wsMessage());
		}
		assertThat(formats).hasSize(1);
		return formats.get(0);
	}

	private static String stream(String channel, String format) {
		return format(channel, "http-stream", format);
	}

	private static String format(String channel, String name, String format) {
		return "{\"channel\": \"" + channel + "\", \"formats\": {\"" + name + "\": " + format + "}}";
	}

	private static String items(String items) {
		return "{\"items\": [" + items + "]}";
	}

	private static PublishItem single(String item) {
		List<PublishItem> items = parse(items(item));
		assertThat(items).hasSize(1);
		return items.get(0);
	}

	private static List<PublishItem> parse(String body) {
		return PublishRequestParser.parse(body.getBytes(StandardCharsets.UTF_8));
	}

	private static void assertInvalid(String body, String message) {
		assertThatExceptionOfType(InvalidPublishException.class).isThrownBy(() -> parse(body)).withMessage(message);
	}

}
