package io.gripway.deploy;

import java.util.List;
import java.util.Map;

/** Walking parsed YAML (maps and lists from SnakeYAML) in tests of deployment files. */
final class Yamls {

	private Yamls() {
	}

	/** The value at a dotted path; a key containing a dot is written with {@code \\.}. Null when absent. */
	static Object at(Object root, String dottedPath) {
		Object current = root;
		for (String key : dottedPath.split("(?<!\\\\)\\.")) {
			if (!(current instanceof Map<?, ?> map)) {
				return null;
			}
			current = map.get(key.replace("\\.", "."));
		}
		return current;
	}

	@SuppressWarnings("unchecked")
	static List<Object> list(Object value) {
		if (!(value instanceof List<?>)) {
			throw new AssertionError("not a list: " + value);
		}
		return (List<Object>) value;
	}

	/** A list of maps, as Kubernetes writes containers, ports, env and volumes. */
	static List<Map<String, Object>> maps(Object value) {
		return list(value).stream().map(Yamls::map).toList();
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Object value) {
		if (!(value instanceof Map<?, ?>)) {
			throw new AssertionError("not a map: " + value);
		}
		return (Map<String, Object>) value;
	}

}
