package io.gripway.publish;

import org.jspecify.annotations.Nullable;

/** The publish API's reply formats, chosen by {@code Accept} as Pushpin chooses them. */
enum ReplyFormat {

	TEXT("text/plain; charset=utf-8"), JSON("application/json");

	private final String contentType;

	ReplyFormat(String contentType) {
		this.contentType = contentType;
	}

	String contentType() {
		return this.contentType;
	}

	String body(String message) {
		if (this == TEXT) {
			return message + "\n";
		}
		return "{\"message\": \"" + message.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"}\n";
	}

	/** The first acceptable format the client names; text without {@code Accept}; null when none is acceptable. */
	static @Nullable ReplyFormat negotiate(@Nullable String accept) {
		if (accept == null || accept.isBlank()) {
			return TEXT;
		}
		for (String range : accept.split(",")) {
			String type = range.split(";", 2)[0].trim().toLowerCase();
			switch (type) {
				case "text/plain":
				case "text/*":
				case "*/*":
				case "*":
					return TEXT;
				case "application/json":
				case "application/*":
					return JSON;
				default:
			}
		}
		return null;
	}

}
