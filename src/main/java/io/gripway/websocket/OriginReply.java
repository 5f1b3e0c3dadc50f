package io.gripway.websocket;

import java.util.List;

import org.springframework.http.HttpHeaders;

/**
 * An origin's answer to one WebSocket-over-HTTP POST.
 *
 * @param status the status code
 * @param headers the response headers
 * @param body the whole body
 */
record OriginReply(int status, HttpHeaders headers, byte[] body) {

	/** 200 with exactly {@code application/websocket-events}: Pushpin compares the string, so no parameters. */
	boolean isEvents() {
		return this.status == 200 && WsEvents.CONTENT_TYPE.equals(this.headers.getFirst(HttpHeaders.CONTENT_TYPE));
	}

	/** The origin turned on GRIP ({@code c:}/{@code m:} messages, publishes) for the connection. */
	boolean enablesGrip() {
		List<String> extensions = this.headers.get(WsOverHttpHeaders.SEC_WEBSOCKET_EXTENSIONS);
		if (extensions == null) {
			return false;
		}
		for (String value : extensions) {
			for (String extension : value.split(",")) {
				String name = extension.split(";", 2)[0].trim();
				if (WsOverHttpHeaders.GRIP_EXTENSION.equalsIgnoreCase(name)) {
					return true;
				}
			}
		}
		return false;
	}

}
