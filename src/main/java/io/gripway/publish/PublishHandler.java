package io.gripway.publish;

import java.util.function.BiFunction;

import io.gripway.bus.MessageBus;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

// TEMPORARY STUB, replaced by the publish branch
public final class PublishHandler implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

	private final MessageBus bus;

	public PublishHandler(MessageBus bus, int maxBodyBytes) {
		this.bus = bus;
	}

	@Override
	public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
		return response.status(501).send();
	}

}
