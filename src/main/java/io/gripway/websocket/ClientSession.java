package io.gripway.websocket;

import io.gripway.hold.WebSocketHold;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What a {@link ClientWebSocketHandler} drives: the origin side of one client WebSocket, over HTTP
 * ({@link WsOverHttpSession}) or over a WebSocket ({@link WsProxySession}).
 *
 * <h3>Lifecycle</h3> {@link #start} once the client's WebSocket is open and the hold registered; {@link #fromClient}
 * for each client frame; {@link #clientGone} once when the client's side ends; {@link #end()} last, from the
 * handler's single cleanup.
 */
interface ClientSession {

	/** The client's hold: its frames go to the client, its channels are the client's subscriptions. */
	WebSocketHold hold();

	/** @param drop closes the client's connection without a close frame */
	void start(Runnable drop);

	/**
	 * A message from the client.
	 * @return completes when the session can take the next one: the client is not read until then
	 */
	Mono<Void> fromClient(WsEvent event);

	/** The client closed ({@code clean}, with its code, possibly null) or vanished. */
	void clientGone(boolean clean, @Nullable Integer code, @Nullable String reason);

	void end();

}
