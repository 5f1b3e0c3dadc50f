/**
 * WebSockets through Gripway. In WebSocket-over-HTTP (reference §4.2, {@code WsOverHttpSession}) Gripway keeps the
 * client's WebSocket and the origin sees ordinary POSTs carrying {@link io.gripway.websocket.WsEvent}s; in
 * {@code websocket} mode (reference §4.1, {@code WsProxySession}) Gripway proxies to a WebSocket origin and offers it
 * the GRIP extension. Either way the client is a {@link io.gripway.hold.WebSocketHold} that publishes reach.
 * {@link io.gripway.websocket.WsEvents} and {@link io.gripway.websocket.ControlMessages} are pure; the sessions,
 * {@code ClientWebSocketHandler} and {@link io.gripway.websocket.GripWebSocketFilter} glue them to Reactor Netty and
 * Spring Cloud Gateway.
 */
@NullMarked
package io.gripway.websocket;

import org.jspecify.annotations.NullMarked;
