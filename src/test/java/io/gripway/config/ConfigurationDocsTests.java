package io.gripway.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each {@code gripway.*} default is written once, in {@link GripwayProperties}: the README's settings table is
 * generated from the configuration metadata the build derives from it, and {@code application.yml}, which lists every
 * setting for operators, must say the same. After changing a setting, run this test with
 * {@code -Dgripway.docs.write=true} to rewrite the table.
 */
class ConfigurationDocsTests {

	static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");

	static final Path README = Path.of("README.md");

	static final String TABLE_START = "<!-- settings: generated from the configuration metadata by "
			+ "ConfigurationDocsTests -->";

	static final String TABLE_END = "<!-- /settings -->";

	@Test
	void readmeSettingsTableIsTheOneGeneratedFromTheMetadata() throws IOException {
		String readme = Files.readString(README);
		int start = readme.indexOf(TABLE_START);
		int end = readme.indexOf(TABLE_END);
		assertThat(start).as("README marks its settings table with " + TABLE_START).isNotNegative();
		assertThat(end).isGreaterThan(start);
		String generated = TABLE_START + "\n" + table(settings()) + TABLE_END;
		String written = readme.substring(start, end + TABLE_END.length());
		if (Boolean.getBoolean("gripway.docs.write")) {
			Files.writeString(README, readme.replace(written, generated));
			return;
		}
		assertThat(written).as("README settings table (rewrite it with -Dgripway.docs.write=true)")
			.isEqualTo(generated);
	}

	@Test
	void applicationYmlListsEverySettingWithItsDefault() throws IOException {
		Map<String, Setting> settings = settings();
		Map<String, String> yml = new LinkedHashMap<>();
		try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.yml"))) {
			Map<String, Object> root = new Yaml().load(in);
			flatten("gripway", root.get("gripway"), yml);
		}
		assertThat(settings.keySet()).as("settings in application.yml that GripwayProperties does not have")
			.containsAll(yml.keySet());
		Map<String, String> defaults = new LinkedHashMap<>();
		settings.forEach((name, setting) -> {
			if (setting.defaultValue() != null) {
				defaults.put(name, setting.defaultValue());
			}
		});
		assertThat(yml).as("application.yml against the defaults of GripwayProperties").isEqualTo(defaults);
	}

	/** The {@code gripway.*} settings in metadata order (by name). */
	static Map<String, Setting> settings() throws IOException {
		assertThat(METADATA).as("configuration metadata; compile first").exists();
		JsonNode metadata = JsonMapper.builder().build().readTree(Files.readString(METADATA));
		Map<String, Setting> settings = new LinkedHashMap<>();
		for (JsonNode property : metadata.get("properties")) {
			String name = property.get("name").asString();
			if (name.startsWith("gripway.")) {
				JsonNode defaultValue = property.get("defaultValue");
				settings.put(name, new Setting(name, (defaultValue != null) ? defaultValue.asString() : null,
						property.path("description").asString("")));
			}
		}
		return settings;
	}

	static String table(Map<String, Setting> settings) {
		StringBuilder table = new StringBuilder("| setting | default | meaning |\n| --- | --- | --- |\n");
		for (Setting setting : settings.values()) {
			table.append("| `")
				.append(setting.name())
				.append("` | ")
				.append(readmeDefault(setting.defaultValue()))
				.append(" | ")
				.append(markdown(setting.description()))
				.append(" |\n");
		}
		return table.toString();
	}

	private static String readmeDefault(@Nullable String value) {
		if (value == null) {
			return "unset";
		}
		return value.isEmpty() ? "empty" : "`" + value + "`";
	}

	private static final Pattern CODE = Pattern.compile("\\{@code ([^}]*)}");

	private static String markdown(String javadoc) {
		Matcher code = CODE.matcher(javadoc);
		return code.replaceAll((match) -> Matcher.quoteReplacement("`" + match.group(1) + "`"))
			.replace("|", "\\|")
			.replaceAll("\\s+", " ");
	}

	@SuppressWarnings("unchecked")
	private static void flatten(String prefix, Object value, Map<String, String> into) {
		if (value instanceof Map<?, ?> map) {
			((Map<String, Object>) map).forEach((key, child) -> flatten(prefix + "." + key, child, into));
		}
		else {
			into.put(prefix, String.valueOf(value));
		}
	}

	/** One setting as the metadata describes it; {@code defaultValue} null when it has none. */
	record Setting(String name, @Nullable String defaultValue, String description) {
	}

}
