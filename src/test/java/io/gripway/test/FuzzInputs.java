package io.gripway.test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import tools.jackson.databind.json.JsonMapper;

/**
 * Generators for the parser fuzz tests: JSON documents shaped like GRIP's (known keys, every JSON type in every
 * place, nested), the same documents cut or corrupted, and raw bytes. Structured input reaches the parsers' deep
 * rules; random bytes alone would only ever exercise the first syntax check.
 */
public final class FuzzInputs {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Every key the GRIP formats use, so generated objects hit real fields. */
	public static final List<String> KEYS = List.of("items", "channel", "id", "prev-id", "formats", "http-stream",
			"http-response", "ws-message", "content", "content-bin", "action", "code", "reason", "headers", "body",
			"body-bin", "meta", "type", "hold", "mode", "channels", "timeout", "keep-alive", "filters", "response",
			"status", "next-link", "close", "data", "interval", "message-filters", "prefix", "send-delay", "uri");

	private static final List<String> WORDS = List.of("send", "close", "hint", "refresh", "stream", "response",
			"subscribe", "unsubscribe", "detach", "keep-alive", "session", "set-meta", "text", "binary", "idle",
			"interval", "skip-self", "skip-users", "require-sub", "build-id", "var-subst", "==", "AAAA", "", " ",
			"\u0000", "\uFFFF", "é", "a,b", "x;y=z", "-1", "1e999", "999999999999", "0x10");

	private FuzzInputs() {
	}

	/** A JSON value tree of depth at most 3. */
	public static Arbitrary<Object> jsonValues() {
		return value(3);
	}

	private static Arbitrary<Object> value(int depth) {
		Arbitrary<Object> scalar = Arbitraries.oneOf(Arbitraries.of(WORDS).map(Object.class::cast),
				Arbitraries.strings().ofMaxLength(12).map(Object.class::cast),
				Arbitraries.integers().map(Object.class::cast),
				Arbitraries.longs().map(Object.class::cast),
				Arbitraries.doubles().map(Object.class::cast),
				Arbitraries.of(true, false).map(Object.class::cast),
				Arbitraries.just(null));
		if (depth == 0) {
			return scalar;
		}
		Arbitrary<Object> list = value(depth - 1).list().ofMaxSize(4).map(Object.class::cast);
		Arbitrary<Object> object = Arbitraries.maps(Arbitraries.oneOf(Arbitraries.of(KEYS), Arbitraries.strings()
			.ofMaxLength(6)), value(depth - 1)).ofMaxSize(4).map(LinkedHashMap::new).map(Object.class::cast);
		return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, scalar), net.jqwik.api.Tuple.of(2, list),
				net.jqwik.api.Tuple.of(4, object));
	}

	/** Serialized JSON documents, sometimes wrapped as {"items": [...]}, sometimes cut or with a byte changed. */
	public static Arbitrary<byte[]> jsonDocuments() {
		Arbitrary<byte[]> whole = Arbitraries.oneOf(jsonValues(),
				jsonValues().list().ofMaxSize(3).map((items) -> (Object) Map.of("items", items)))
			.map((value) -> JSON.writeValueAsBytes(value));
		return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, whole), net.jqwik.api.Tuple.of(2, corrupted(whole)),
				net.jqwik.api.Tuple.of(1, bytes()));
	}

	/** {@code documents} cut short, or with one byte replaced. */
	public static Arbitrary<byte[]> corrupted(Arbitrary<byte[]> documents) {
		return net.jqwik.api.Combinators.combine(documents, Arbitraries.integers().between(0, 10_000),
				Arbitraries.bytes(), Arbitraries.of(true, false))
			.as((document, at, replacement, cut) -> {
				if (document.length == 0) {
					return document;
				}
				int index = at % document.length;
				if (cut) {
					return java.util.Arrays.copyOf(document, index);
				}
				byte[] copy = document.clone();
				copy[index] = replacement;
				return copy;
			});
	}

	/** Raw bytes, up to 256. */
	public static Arbitrary<byte[]> bytes() {
		return Arbitraries.bytes().array(byte[].class).ofMaxSize(256);
	}

	/** Header-parameter-shaped text: tokens, separators, quotes and escapes GRIP headers use. */
	public static Arbitrary<String> headerValues() {
		List<String> pieces = new ArrayList<>(WORDS);
		pieces.addAll(List.of(";", ",", "=", "\"", "\\", " ", "\t", "prev-id", "filter", "timeout", "mode", "rel",
				"<http://o/next>", "<", ">", "rel=next", "5", "0", "-5", "100000000000", "id", "%", "\u00ff"));
		return Arbitraries.of(pieces).list().ofMaxSize(12).map((list) -> String.join("", list));
	}

	public static String utf8(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
