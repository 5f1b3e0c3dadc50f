package io.gripway.test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.convert.DurationStyle;

/**
 * The defaults in {@code src/main/resources/application.yml}, read as a file, so tests of deployment artifacts
 * (chart, compose, Prometheus config) compare against the application's own settings instead of copies.
 */
public final class ApplicationDefaults {

	private static final Path FILE = Path.of("src/main/resources/application.yml");

	private final Map<String, Object> root;

	private ApplicationDefaults(Map<String, Object> root) {
		this.root = root;
	}

	public static ApplicationDefaults load() {
		try (Reader reader = Files.newBufferedReader(FILE)) {
			return new ApplicationDefaults(new Yaml().load(reader));
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot read " + FILE.toAbsolutePath(), ex);
		}
	}

	/** The value at a dotted path, e.g. {@code gripway.publish.port}. */
	public Object get(String dottedPath) {
		Object current = this.root;
		for (String key : dottedPath.split("\\.")) {
			if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
				throw new AssertionError(dottedPath + " is not set in " + FILE);
			}
			current = map.get(key);
		}
		return current;
	}

	public int port(String dottedPath) {
		return Integer.parseInt(String.valueOf(get(dottedPath)));
	}

	public int proxyPort() {
		return port("server.port");
	}

	public int publishPort() {
		return port("gripway.publish.port");
	}

	public int managementPort() {
		return port("management.server.port");
	}

	public Duration drainWindow() {
		return DurationStyle.detectAndParse(String.valueOf(get("gripway.drain.window")));
	}

}
