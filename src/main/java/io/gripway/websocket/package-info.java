/**
 * WebSockets through Gripway: WebSocket-over-HTTP (reference §4.2), where Gripway keeps the client's WebSocket and
 * the origin sees ordinary POSTs carrying {@link io.gripway.websocket.WsEvent}s. {@link io.gripway.websocket.WsEvents}
 * and {@link io.gripway.websocket.ControlMessage} are pure; the session and filter glue them to Reactor Netty and
 * Spring Cloud Gateway.
 */
@NullMarked
package io.gripway.websocket;

import org.jspecify.annotations.NullMarked;
