package io.gripway.filter;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;

import io.gripway.http.Content;
import org.jspecify.annotations.Nullable;

/**
 * The two steps of the {@code build-id} filter, as Pushpin's {@code src/handler/idformat.cpp} does them: render the
 * subscription's id template ({@code id_format}) into one id, then put that id wherever the content says {@code %I}.
 * Both use the {@code %}-syntax of {@link Template}.
 *
 * <p>
 * Hex encoding ({@code id_encoding=hex}) is a property of the second step, as in Pushpin's {@code ContentRenderer}: the
 * whole rendered id is hex-encoded where it lands in the content, not each value inside the template.
 */
public final class IdFormat {

	private static final HexFormat HEX = HexFormat.of();

	private IdFormat() {
	}

	/**
	 * Renders an id template, Pushpin's {@code IdFormat::renderId}: {@code %(name)s} becomes the value of
	 * {@code name}, {@code %%} becomes {@code %}. Any other directive, {@code %s} without a name, a name not in
	 * {@code values} and a malformed template are errors (Pushpin's {@code IdFormatHandler}); an empty value is not.
	 * @param idFormat the template, for example django-eventstream's {@code c1:%(events-c1)s,c2:%(events-c2)s}
	 * @param values the values by name; for {@code build-id}, the connection's last id per channel name
	 * @return the rendered id
	 * @throws TemplateException with Pushpin's message, for example {@code No such variable 'events-c2' at position 14}
	 */
	public static String renderId(String idFormat, Map<String, String> values) throws TemplateException {
		byte[] template = idFormat.getBytes(StandardCharsets.UTF_8);
		return new String(Template.render(template, Template.variables(values)), StandardCharsets.UTF_8);
	}

	/**
	 * Renders content for {@code build-id}, Pushpin's {@code IdFormat::ContentRenderer}: {@code %I} becomes
	 * {@code defaultId}, {@code %(id)I} becomes {@code id} itself, {@code %%} becomes {@code %}. Every other
	 * {@code %} is an error, so a publisher using {@code build-id} must write a literal {@code %} as {@code %%}
	 * (django-eventstream's {@code build_id_escape} does).
	 * @param content the published content
	 * @param defaultId the id for a bare {@code %I}; {@code null} makes {@code %I} an error ("No ID specified and no
	 * default ID in context"), as when Pushpin has no ids to render (the initial response of a hold)
	 * @param hex whether the id is written as lower-case hex of its UTF-8 bytes ({@code id_encoding=hex}), in both
	 * forms of the directive
	 * @return the rendered content; {@code content} itself when it holds no {@code %}
	 * @throws TemplateException with Pushpin's message, for example {@code Unknown directive ' ' at position 3}
	 */
	public static Content renderContent(Content content, @Nullable String defaultId, boolean hex)
			throws TemplateException {
		if (!Template.hasDirectives(content)) {
			return content;
		}
		byte[] defaultBytes = (defaultId != null) ? defaultId.getBytes(StandardCharsets.UTF_8) : null;
		return Content.adopt(Template.render(content.toByteArray(), (type, arg) -> {
			if (type != 'I') {
				throw Template.unknownDirective(type);
			}
			byte[] id = arg;
			if (id == null) {
				if (defaultBytes == null) {
					throw new TemplateException("No ID specified and no default ID in context");
				}
				id = defaultBytes;
			}
			return hex ? HEX.formatHex(id).getBytes(StandardCharsets.US_ASCII) : id;
		}));
	}

}
