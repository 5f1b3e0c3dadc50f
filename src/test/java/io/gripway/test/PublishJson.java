package io.gripway.test;

/**
 * Bodies for the publish API ({@code POST /publish/}) with one item, for integration tests. The arguments go into the
 * JSON as they are: escape quotes, backslashes and line breaks JSON's way ({@code "a\\n"} for a line feed).
 */
public final class PublishJson {

	private PublishJson() {
	}

	/** One {@code http-response} item releasing long-polls on {@code channel} with {@code body}. */
	public static String response(String channel, String body) {
		return item(channel, "\"http-response\":{\"body\":\"" + body + "\"}");
	}

	/** One {@code http-stream} item appending {@code content} to streams on {@code channel}. */
	public static String stream(String channel, String content) {
		return item(channel, "\"http-stream\":{\"content\":\"" + content + "\"}");
	}

	/** One {@code http-stream} item closing the streams on {@code channel}. */
	public static String streamClose(String channel) {
		return item(channel, "\"http-stream\":{\"action\":\"close\"}");
	}

	/** One {@code ws-message} text item for WebSockets on {@code channel}. */
	public static String wsText(String channel, String content) {
		return item(channel, "\"ws-message\":{\"content\":\"" + content + "\"}");
	}

	private static String item(String channel, String formats) {
		return "{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{" + formats + "}}]}";
	}

}
