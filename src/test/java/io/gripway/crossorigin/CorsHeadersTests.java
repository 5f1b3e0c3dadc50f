package io.gripway.crossorigin;

import java.util.List;

import io.gripway.http.HeaderField;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Pushpin's auto cross-origin headers ({@code cors.cpp}): echoes, defaults, and the origin's own headers kept. */
class CorsHeadersTests {

	@Test
	void simpleRequestEchoesOriginAndExposesNonSimpleHeaders() {
		List<HeaderField> headers = CorsHeaders.apply(CorsRequest.of("http://app.example", null, List.of()),
				List.of(new HeaderField("Content-Type", "text/plain"), new HeaderField("X-Seq", "4"),
						new HeaderField("Cache-Control", "no-cache"), new HeaderField("x-seq", "5"),
						new HeaderField("ETag", "\"a\"")));
		assertThat(headers).containsSubsequence(new HeaderField("X-Seq", "4"),
				new HeaderField("Access-Control-Allow-Methods", "OPTIONS, HEAD, GET, POST, PUT, DELETE"),
				new HeaderField("Access-Control-Expose-Headers", "X-Seq, ETag"),
				new HeaderField("Access-Control-Allow-Credentials", "true"),
				new HeaderField("Access-Control-Allow-Origin", "http://app.example"),
				new HeaderField("Access-Control-Max-Age", "3600"));
		assertThat(headers).noneMatch(header -> header.named("Access-Control-Allow-Headers"));
	}

	@Test
	void preflightEchoesRequestedMethodAndHeaders() {
		List<HeaderField> headers = CorsHeaders.apply(
				CorsRequest.of("http://app.example", "PUT", List.of("x-a, x-b", "Content-Type")), List.of());
		assertThat(headers).contains(new HeaderField("Access-Control-Allow-Methods", "PUT"),
				new HeaderField("Access-Control-Allow-Headers", "x-a, x-b, Content-Type"));
		assertThat(headers).noneMatch(header -> header.named("Access-Control-Expose-Headers"));
	}

	@Test
	void withoutOriginAnyOriginIsAllowed() {
		assertThat(CorsHeaders.apply(CorsRequest.of(null, null, List.of()), List.of()))
			.contains(new HeaderField("Access-Control-Allow-Origin", "*"));
	}

	@Test
	void headersTheOriginSetAreKeptOneByOne() {
		List<HeaderField> origin = List.of(new HeaderField("access-control-allow-origin", "https://only.example"),
				new HeaderField("Access-Control-Max-Age", "60"));
		List<HeaderField> headers = CorsHeaders.apply(CorsRequest.of("http://app.example", null, List.of()), origin);
		assertThat(headers.stream().filter(header -> header.named("Access-Control-Allow-Origin")))
			.containsExactly(new HeaderField("access-control-allow-origin", "https://only.example"));
		assertThat(headers.stream().filter(header -> header.named("Access-Control-Max-Age")))
			.containsExactly(new HeaderField("Access-Control-Max-Age", "60"));
		assertThat(headers).contains(new HeaderField("Access-Control-Allow-Credentials", "true"));
	}

	@Test
	void gripAndCorsHeadersAreNeverExposed() {
		assertThat(CorsHeaders.exposable(List.of(new HeaderField("Grip-Hold", "response"),
				new HeaderField("Access-Control-Allow-Origin", "*"), new HeaderField("Content-Length", "3"))))
			.isEmpty();
	}

}
