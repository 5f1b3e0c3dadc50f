package io.gripway.websocket;

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
		return WsOverHttpHeaders.namesGrip(this.headers.get(WsOverHttpHeaders.SEC_WEBSOCKET_EXTENSIONS));
	}

}
