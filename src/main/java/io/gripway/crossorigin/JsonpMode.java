package io.gripway.crossorigin;

import java.util.Locale;

/** How a JSON-P response wraps the origin's answer (Pushpin's {@code jsonp_mode}). */
public enum JsonpMode {

	/** The body itself is the callback's argument, less one trailing newline: for origins that answer JSON. */
	BASIC("POST"),

	/** The callback gets {@code {"code", "reason", "headers", "body"}}: the whole response, status included. */
	EXTENDED("GET");

	private final String defaultMethod;

	JsonpMode(String defaultMethod) {
		this.defaultMethod = defaultMethod;
	}

	/** The method a JSON-P request stands for when it names none with {@code _method}, as in Pushpin. */
	public String defaultMethod() {
		return this.defaultMethod;
	}

	/** {@code basic} or {@code extended}, in any case. */
	public static JsonpMode of(String name) {
		for (JsonpMode mode : values()) {
			if (mode.name().equalsIgnoreCase(name.trim())) {
				return mode;
			}
		}
		throw new IllegalArgumentException("JSON-P mode must be 'basic' or 'extended', not '" + name + "'");
	}

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
