package io.gripway.filter;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.gripway.http.Content;
import org.jspecify.annotations.Nullable;

/**
 * The {@code %}-template syntax shared by id formats, {@code build-id} content and {@code var-subst} content, read as
 * Pushpin's {@code Format::process} ({@code src/handler/format.cpp}) reads it:
 * <ul>
 * <li>{@code %%} is one {@code %};</li>
 * <li>{@code %X}, X an ASCII letter, is directive X without an argument;</li>
 * <li>{@code %(arg)X} is directive X with an argument; inside the parentheses a backslash takes the next byte
 * literally, so {@code \)} and {@code \\} can be part of it;</li>
 * <li>any other byte after {@code %}, and a template that ends inside a directive, is an error.</li>
 * </ul>
 * What a directive renders to is up to the {@link Directive} of each template kind. The template is bytes, not text:
 * positions in error messages count bytes, as Pushpin's do, and bytes outside directives are copied untouched whatever
 * their encoding.
 */
final class Template {

	private Template() {
	}

	/** Renders one directive of a template kind. */
	@FunctionalInterface
	interface Directive {

		/**
		 * The bytes for directive {@code type}.
		 * @param arg the argument between the parentheses, escapes resolved, or {@code null} when none was given
		 * @throws TemplateException with Pushpin's message, without the position (the caller adds it)
		 */
		byte[] render(char type, byte @Nullable [] arg) throws TemplateException;

	}

	/**
	 * Whether {@code content} holds a {@code %} at all; without one it renders to itself. Read in place, so most
	 * items, which have none, are not copied for each subscriber.
	 */
	static boolean hasDirectives(Content content) {
		ByteBuffer bytes = content.asByteBuffer();
		while (bytes.hasRemaining()) {
			if (bytes.get() == '%') {
				return true;
			}
		}
		return false;
	}

	static byte[] render(byte[] template, Directive directive) throws TemplateException {
		ByteArrayOutputStream out = new ByteArrayOutputStream(template.length + 16);
		int length = template.length;
		for (int n = 0; n < length; n++) {
			byte c = template[n];
			if (c != '%') {
				out.write(c);
				continue;
			}
			if (n + 1 >= length) {
				throw new TemplateException("Expected directive after '%' at position " + n);
			}
			c = template[++n];
			if (c == '%') {
				out.write('%');
			}
			else if (c == '(') {
				n = renderWithArgument(template, n, directive, out);
			}
			else if (isAsciiLetter(c)) {
				out.writeBytes(render(directive, (char) c, null, n));
			}
			else {
				throw new TemplateException("Unknown directive '" + (char) (c & 0xFF) + "' at position " + n);
			}
		}
		return out.toByteArray();
	}

	/** Renders {@code %(arg)X} whose {@code (} is at {@code open}; returns the position of X. */
	private static int renderWithArgument(byte[] template, int open, Directive directive, ByteArrayOutputStream out)
			throws TemplateException {
		int length = template.length;
		int n = open;
		if (n + 1 >= length) {
			throw new TemplateException("Expected character after '(' at position " + n);
		}
		n++;
		ByteArrayOutputStream arg = new ByteArrayOutputStream();
		boolean terminated = false;
		for (; n < length; n++) {
			byte c = template[n];
			if (c == '\\') {
				if (n + 1 >= length) {
					throw new TemplateException("Expected character after '\\' at position " + n);
				}
				arg.write(template[++n]);
			}
			else if (c == ')') {
				terminated = true;
				break;
			}
			else {
				arg.write(c);
			}
		}
		if (!terminated) {
			throw new TemplateException("Unterminated field starting at position " + open);
		}
		if (n + 1 >= length) {
			throw new TemplateException("Expected directive after ')' at position " + n);
		}
		n++;
		// Pushpin's argument starts as a null QByteArray and only becomes non-null when a byte is appended, so "%()s"
		// reads as "%s": no argument at all, not an empty one.
		byte[] argument = (arg.size() == 0) ? null : arg.toByteArray();
		// Any byte may follow ')': Pushpin hands it to the directive, which rejects what it does not know.
		out.writeBytes(render(directive, (char) (template[n] & 0xFF), argument, n));
		return n;
	}

	private static byte[] render(Directive directive, char type, byte @Nullable [] arg, int position)
			throws TemplateException {
		try {
			return directive.render(type, arg);
		}
		catch (TemplateException ex) {
			throw new TemplateException(ex.getMessage() + " at position " + position);
		}
	}

	// C's isalpha() in the "C" locale, as Pushpin calls it: bytes of multi-byte UTF-8 are not letters.
	private static boolean isAsciiLetter(byte c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	}

	/**
	 * {@code %(name)s} replaced by the value of {@code name}: the directive of id formats and of {@code var-subst}
	 * (Pushpin's {@code IdFormatHandler} and {@code VarSubstFormatHandler}, which are the same rules). Any other
	 * directive, {@code %s} without a name, and a name that is not in {@code values} are errors; an empty value is not.
	 */
	static Directive variables(Map<String, String> values) {
		return (type, arg) -> {
			if (type != 's') {
				throw unknownDirective(type);
			}
			if (arg == null) {
				throw new TemplateException("Directive 's' requires argument");
			}
			String name = new String(arg, StandardCharsets.UTF_8);
			String value = values.get(name);
			if (value == null) {
				throw new TemplateException("No such variable '" + name + "'");
			}
			return value.getBytes(StandardCharsets.UTF_8);
		};
	}

	/** The handler error for a directive a template kind does not know (Pushpin's wording). */
	static TemplateException unknownDirective(char type) {
		return new TemplateException("Unknown directive '" + type + "'");
	}

}
