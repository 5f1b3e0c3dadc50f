package io.gripway.http;

import java.util.Objects;

/**
 * One HTTP header line, name and value as they stand on the wire. Kept as an ordered list element
 * (rather than a map entry) because GRIP instructions and published responses may repeat a header.
 */
public record HeaderField(String name, String value) {

	public HeaderField {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(value, "value");
	}

	public boolean named(String other) {
		return this.name.equalsIgnoreCase(other);
	}

}
