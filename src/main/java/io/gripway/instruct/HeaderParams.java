package io.gripway.instruct;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Header-value parameter parsing as Pushpin does it ({@code src/core/httpheaders.cpp}): a value is a list split on the
 * commas that are not inside double quotes, and each element is {@code first; k=v; k="quoted \"escaped\""}.
 * Parameter names are matched ignoring case but kept as given (they become meta keys). Values lose their quotes and
 * backslash escapes.
 *
 * <p>
 * Unlike Pushpin, which silently drops an element it cannot parse, a malformed value (an unterminated quote, or a
 * backslash at its very end) is an {@link IllegalArgumentException}: a half-read {@code Grip-Channel} would subscribe
 * the client to the wrong thing without anyone noticing.
 */
public final class HeaderParams {

	private HeaderParams() {
	}

	/**
	 * One {@code name=value} parameter.
	 *
	 * @param name the name as written
	 * @param value the unquoted value, or {@code null} when the parameter had no {@code =}
	 */
	public record Param(String name, @Nullable String value) {

		public Param {
			Objects.requireNonNull(name, "name");
		}

	}

	/**
	 * One list element: the part before the first {@code ;}, then its parameters in order.
	 *
	 * @param first the leading token, trimmed (a channel name, keep-alive data)
	 * @param params the parameters in the order written; a name may repeat ({@code filter})
	 */
	public record Element(String first, List<Param> params) {

		public Element {
			Objects.requireNonNull(first, "first");
			params = List.copyOf(params);
		}

		/** Whether a parameter called {@code name} (any case) is present. */
		public boolean has(String name) {
			return this.params.stream().anyMatch((param) -> param.name().equalsIgnoreCase(name));
		}

		/** The value of the first parameter called {@code name} (any case); {@code null} if absent or valueless. */
		public @Nullable String get(String name) {
			for (Param param : this.params) {
				if (param.name().equalsIgnoreCase(name)) {
					return param.value();
				}
			}
			return null;
		}

		/** The values of every parameter called {@code name} (any case), in order; a valueless one gives "". */
		public List<String> getAll(String name) {
			return this.params.stream()
				.filter((param) -> param.name().equalsIgnoreCase(name))
				.map((param) -> Objects.requireNonNullElse(param.value(), ""))
				.toList();
		}

	}

	/**
	 * Splits {@code value} on unquoted commas and parses each element ({@code Grip-Channel}, {@code Grip-Link}). A
	 * blank value gives an empty list; a blank element in the middle gives an element with an empty {@code first}.
	 * @throws IllegalArgumentException if a quoted string is not terminated
	 */
	public static List<Element> parseList(String value) {
		return split(value).stream().map(HeaderParams::parse).toList();
	}

	/**
	 * Parses {@code value} as one element, commas included: {@code Grip-Keep-Alive} data may itself contain commas,
	 * and js-grip does not quote it, so Pushpin never comma-splits that header.
	 * @throws IllegalArgumentException if a quoted string is not terminated
	 */
	public static Element parse(String value) {
		// As in Pushpin, the leading token ends at the first ';' even inside quotes: it is never quoted in GRIP.
		int semicolon = value.indexOf(';');
		if (semicolon == -1) {
			return new Element(value.trim(), List.of());
		}
		return new Element(value.substring(0, semicolon).trim(), parameters(value, semicolon + 1));
	}

	/**
	 * Splits {@code value} on unquoted commas and parses every element as parameters only, with no leading token
	 * (Pushpin's {@code ParseAllParameters}, used by {@code Grip-Set-Meta: user="alice", room="1"}). A blank element
	 * gives an empty list, so that the caller can reject it.
	 * @throws IllegalArgumentException if a quoted string is not terminated
	 */
	public static List<List<Param>> parseParameterList(String value) {
		return split(value).stream().map((element) -> parameters(element, 0)).toList();
	}

	/** The trimmed parts between unquoted commas; a trailing comma adds nothing, as in Pushpin's headerSplit. */
	private static List<String> split(String value) {
		List<String> parts = new ArrayList<>();
		int start = 0;
		boolean inQuote = false;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (inQuote && c == '\\') {
				i++;
			}
			else if (c == '"') {
				inQuote = !inQuote;
			}
			else if (c == ',' && !inQuote) {
				parts.add(value.substring(start, i).trim());
				start = i + 1;
			}
		}
		if (inQuote) {
			throw unterminatedQuote();
		}
		String last = value.substring(start).trim();
		if (!last.isEmpty()) {
			parts.add(last);
		}
		return parts;
	}

	private static List<Param> parameters(String in, int from) {
		List<Param> params = new ArrayList<>();
		int start = from;
		while (start < in.length()) {
			int end = indexOfAny(in, start);
			if (end == -1 || in.charAt(end) == ';') {
				int nameEnd = (end != -1) ? end : in.length();
				String name = in.substring(start, nameEnd).trim();
				// A stray ';' (as in "a;; b=1") is not a parameter.
				if (!name.isEmpty()) {
					params.add(new Param(name, null));
				}
				start = nameEnd + 1;
				continue;
			}
			String name = in.substring(start, end).trim();
			if (name.isEmpty()) {
				throw new IllegalArgumentException("a parameter has a value but no name");
			}
			int valueStart = end + 1;
			StringBuilder value = new StringBuilder();
			int valueEnd;
			if (valueStart < in.length() && in.charAt(valueStart) == '"') {
				int closingQuote = unquote(in, valueStart + 1, value);
				// Anything between the closing quote and the next ';' is ignored, as Pushpin does.
				valueEnd = in.indexOf(';', closingQuote);
			}
			else {
				valueEnd = in.indexOf(';', valueStart);
				value.append(in.substring(valueStart, (valueEnd != -1) ? valueEnd : in.length()).trim());
			}
			params.add(new Param(name, value.toString()));
			start = (valueEnd != -1) ? valueEnd + 1 : in.length();
		}
		return params;
	}

	/** Appends the quoted string starting at {@code from} to {@code out}, unescaped; returns the closing quote. */
	private static int unquote(String in, int from, StringBuilder out) {
		for (int i = from; i < in.length(); i++) {
			char c = in.charAt(i);
			if (c == '"') {
				return i;
			}
			if (c == '\\') {
				i++;
				if (i >= in.length()) {
					break;
				}
				c = in.charAt(i);
			}
			out.append(c);
		}
		throw unterminatedQuote();
	}

	private static int indexOfAny(String in, int from) {
		for (int i = from; i < in.length(); i++) {
			char c = in.charAt(i);
			if (c == '=' || c == ';') {
				return i;
			}
		}
		return -1;
	}

	private static IllegalArgumentException unterminatedQuote() {
		return new IllegalArgumentException("a quoted string is not terminated");
	}

}
