package io.gripway.passthrough;

import java.net.URI;
import java.net.URISyntaxException;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast path takes a request's target and host as they came only where the {@code java.net.URI} WebFlux builds
 * from them would say the same: checked against {@code URI} itself, on examples and on random strings.
 */
class RequestUriTests {

	@Test
	void targetsTakenAsTheyCame() {
		for (String target : new String[] { "/", "/plain", "/plain?b=2&a=1&b=3&&c", "/a%2Fb/%7Ec/caf%C3%A9?q=%20x+y",
				"/get?", "//double", "/p;a=1/b?c=/d?e", "/~user/it's(1)*!$,@:" }) {
			assertThat(RequestUri.isVerbatimTarget(target)).as(target).isTrue();
			assertThat(rawTarget(target)).isEqualTo(target);
		}
	}

	@Test
	void targetsLeftToTheGateway() {
		for (String target : new String[] { "", "*", "plain", "http://example.test/plain", "/a b", "/a|b", "/%zz",
				"/%4", "/a#fragment", "/q?x=[1]", "/caf\u00e9", "/a\"b", "/a\\b", "/a{b}", "/a<b>", "/a^b", "/a`b" }) {
			assertThat(RequestUri.isVerbatimTarget(target)).as(target).isFalse();
		}
	}

	@Test
	void hostsTakenAsTheyCame() {
		for (String host : new String[] { "localhost", "example.test", "EXAMPLE.Test", "a-b.c-d.example", "x1.y2",
				"127.0.0.1", "10.255.0.1", "gripway-0.gripway.default.svc" }) {
			assertThat(RequestUri.isServerHost(host)).as(host).isTrue();
			assertThat(uriHost(host)).isEqualTo(host);
		}
	}

	@Test
	void hostsLeftToTheGateway() {
		// URI parses these as a registry-based authority (no host) or refuses them; some it takes are left too
		for (String host : new String[] { "", "my_host", "example.test.", "-a.test", "a-.test", "a..test", "a.1b",
				"1.2.3", "1.2.3.256", "::1", "[::1]", "a b", "caf\u00e9.test" }) {
			assertThat(RequestUri.isServerHost(host)).as(host).isFalse();
		}
	}

	@Property(tries = 20_000)
	void anyTargetTakenIsTheOneTheUriHas(@ForAll("targets") String target) {
		if (RequestUri.isVerbatimTarget(target)) {
			assertThat(rawTarget(target)).isEqualTo(target);
		}
	}

	@Property(tries = 20_000)
	void anyHostTakenIsTheOneTheUriHas(@ForAll("hosts") String host) {
		if (RequestUri.isServerHost(host)) {
			assertThat(uriHost(host)).isEqualTo(host);
		}
	}

	@Provide
	Arbitrary<String> targets() {
		return Arbitraries.strings()
			.withChars("/?%#[]:@!$&'()*+,;=-._~ \"<>\\^`{|}aZ09F\u00e9\u0001")
			.ofMaxLength(12)
			.map(tail -> "/" + tail);
	}

	@Provide
	Arbitrary<String> hosts() {
		return Arbitraries.strings().withChars("aZ09.-_:[]").ofMaxLength(10);
	}

	/** The target as WebFlux's URI gives it to the gateway: raw path, then {@code ?} and raw query. */
	private static String rawTarget(String target) {
		URI uri = uri("http://example.test" + target);
		return uri.getRawPath() + ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : "");
	}

	private static String uriHost(String host) {
		return uri("http://" + host + ":8080/").getHost();
	}

	private static URI uri(String text) {
		try {
			return new URI(text);
		}
		catch (URISyntaxException ex) {
			throw new AssertionError("URI refuses what the fast path takes: " + text, ex);
		}
	}

}
