package io.gripway.config;

import java.util.List;

import io.gripway.gateway.Apps;
import io.gripway.hold.HoldRegistry;
import io.gripway.websocket.GripWebSocketFilter;
import io.gripway.websocket.WsOverHttpSettings;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.socket.server.WebSocketService;

/**
 * Wires client WebSockets (both modes), with the gateway's handshake service, HTTP client and request header filters.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketConfiguration {

	@Bean
	GripWebSocketFilter gripWebSocketFilter(WebSocketService webSocketService, HttpClient httpClient,
			HoldRegistry registry, GripwayProperties properties, Apps apps,
			ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
		GripwayProperties.Websocket websocket = properties.websocket();
		WsOverHttpSettings settings = new WsOverHttpSettings(websocket.mode(), websocket.retryBase(),
				websocket.maxRetries(), websocket.queueCapacity(), websocket.maxResponseBody().toBytes(),
				websocket.maxPendingBytes().toBytes());
		return new GripWebSocketFilter(webSocketService, httpClient, apps,
				registry, Schedulers.parallel(), settings, headersFilters);
	}

}
