package io.gripway.crossorigin;

import java.util.List;

import io.gripway.http.Content;
import io.gripway.http.HeaderField;
import io.gripway.instruct.ResponseTemplate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** JSON-P as Pushpin's {@code tryApplyJsonp} and {@code respond}: activation, parameters, basic and extended. */
class JsonpTests {

	static final JsonpSettings EXTENDED = JsonpSettings.DEFAULTS;

	static final JsonpSettings BASIC = new JsonpSettings(JsonpMode.BASIC, "", "", "", "");

	@Test
	void getWithoutCallbackIsNotJsonp() throws Exception {
		assertThat(Jsonp.parse("GET", "a=1", EXTENDED)).isNull();
		assertThat(Jsonp.parse("GET", null, EXTENDED)).isNull();
		assertThat(Jsonp.parse("POST", "callback=f", EXTENDED)).isNull();
	}

	@Test
	void callbackActivatesAndLeavesTheRestOfTheQueryByteForByte() throws Exception {
		JsonpRequest request = Jsonp.parse("GET", "a=%2F&callback=f&b&_method=PUT", EXTENDED);
		assertThat(request.callback()).isEqualTo("f");
		assertThat(request.method()).isEqualTo("PUT");
		assertThat(request.rawQuery()).isEqualTo("a=%2F&b");
		assertThat(request.body()).isNull();
	}

	@Test
	void defaultMethodFollowsTheMode() throws Exception {
		assertThat(Jsonp.parse("GET", "callback=f", EXTENDED).method()).isEqualTo("GET");
		assertThat(Jsonp.parse("GET", "callback=f", BASIC).method()).isEqualTo("POST");
		assertThat(Jsonp.parse("GET", "callback=f", EXTENDED).rawQuery()).isNull();
	}

	@Test
	void headersAndBodyParameters() throws Exception {
		JsonpRequest request = Jsonp.parse("GET",
				"callback=cb.x&_headers=%7B%22X-A%22%3A%221%22%2C%22Host%22%3A%22evil%22%7D&_body=hello%20world", EXTENDED);
		assertThat(request.headers()).containsExactly(new HeaderField("X-A", "1"));
		assertThat(request.body()).isEqualTo(Content.utf8("hello world"));
	}

	@Test
	void bodyParamWithDefaultCallbackActivatesWithoutCallback() throws Exception {
		JsonpSettings settings = new JsonpSettings(JsonpMode.EXTENDED, "", "json", "handle", "POST");
		JsonpRequest request = Jsonp.parse("GET", "json=%7B%7D", settings);
		assertThat(request.callback()).isEqualTo("handle");
		assertThat(request.method()).isEqualTo("POST");
		assertThat(request.body()).isEqualTo(Content.utf8("{}"));
		assertThat(request.headers()).containsExactly(new HeaderField("Content-Type", "application/json"));
	}

	@Test
	void invalidParametersAreRefusedWithPushpinsMessages() {
		assertThatExceptionOfType(InvalidJsonpException.class).isThrownBy(() -> Jsonp.parse("GET", "callback=", EXTENDED))
			.withMessage("Invalid callback parameter.");
		assertThatExceptionOfType(InvalidJsonpException.class)
			.isThrownBy(() -> Jsonp.parse("GET", "callback=alert(1)", EXTENDED))
			.withMessage("Invalid callback parameter.");
		assertThatExceptionOfType(InvalidJsonpException.class)
			.isThrownBy(() -> Jsonp.parse("GET", "callback=f&_method=G%20T", EXTENDED))
			.withMessage("Invalid _method parameter.");
		assertThatExceptionOfType(InvalidJsonpException.class)
			.isThrownBy(() -> Jsonp.parse("GET", "callback=f&_headers=%5B%5D", EXTENDED))
			.withMessage("Invalid _headers parameter.");
		assertThatExceptionOfType(InvalidJsonpException.class)
			.isThrownBy(() -> Jsonp.parse("GET", "callback=f&_body=%zz", EXTENDED))
			.withMessage("Invalid _body parameter.");
	}

	@Test
	void extendedWrapsTheWholeResponse() {
		ResponseTemplate script = Jsonp.wrap("f", JsonpMode.EXTENDED, new ResponseTemplate(404, null,
				List.of(new HeaderField("Content-Type", "text/plain"), new HeaderField("X-A", "1"),
						new HeaderField("x-a", "2"), new HeaderField("Content-Length", "6")),
				Content.utf8("gone \"x\"\n")));
		assertThat(script.code()).isEqualTo(200);
		assertThat(script.headers()).containsExactly(new HeaderField("X-A", "1"), new HeaderField("x-a", "2"),
				new HeaderField("Content-Type", "application/javascript"));
		assertThat(script.body().toUtf8()).isEqualTo("/**/f({\"code\":404,\"reason\":\"Not Found\",\"headers\":"
				+ "{\"Content-Type\":\"text/plain\",\"X-A\":\"1, 2\"},\"body\":\"gone \\\"x\\\"\\n\"});\n");
	}

	@Test
	void basicWrapsTheBodyLessOneTrailingNewline() {
		ResponseTemplate script = Jsonp.wrap("f", JsonpMode.BASIC,
				new ResponseTemplate(500, null, List.of(), Content.utf8("{\"a\":1}\r\n")));
		assertThat(script.code()).isEqualTo(200);
		assertThat(script.body().toUtf8()).isEqualTo("/**/f({\"a\":1});\n");
	}

}
