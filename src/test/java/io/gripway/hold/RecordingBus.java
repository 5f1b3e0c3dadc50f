package io.gripway.hold;

import java.util.ArrayList;
import java.util.List;

import io.gripway.bus.BusReceiver;
import io.gripway.bus.MessageBus;
import io.gripway.publish.PublishItem;
import reactor.core.publisher.Mono;

/** A bus for registry tests: records the subscribe ({@code +ch}) and unsubscribe ({@code -ch}) calls it gets. */
final class RecordingBus implements MessageBus {

	@Override
	public void recover() {
	}

	final List<String> calls = new ArrayList<>();

	@Override
	public Mono<Void> publish(List<PublishItem> items) {
		return Mono.empty();
	}

	@Override
	public void start(BusReceiver receiver) {
	}

	@Override
	public void subscribe(String channel) {
		this.calls.add("+" + channel);
	}

	@Override
	public void unsubscribe(String channel) {
		this.calls.add("-" + channel);
	}

	@Override
	public boolean isAvailable() {
		return true;
	}

}
