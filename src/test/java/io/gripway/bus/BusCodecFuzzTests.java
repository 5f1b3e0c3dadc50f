package io.gripway.bus;

import java.nio.charset.StandardCharsets;

import io.gripway.publish.InvalidPublishException;
import io.gripway.publish.PublishItem;
import io.gripway.publish.PublishRequestParser;
import io.gripway.test.FuzzInputs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile bus messages (issue 12, item 5: another node, or anything that can PUBLISH to Redis, could send them):
 * {@link BusCodec#decode} returns a message or throws {@link MalformedBusMessageException}, nothing else, and every
 * valid item survives a round trip.
 */
class BusCodecFuzzTests {

	private static final String[] ITEMS = {
			"{\"channel\": \"c\", \"id\": \"2\", \"prev-id\": \"1\", \"formats\": {\"http-stream\": {\"content\": \"x\"}}}",
			"{\"channel\": \"c\", \"formats\": {\"http-response\": {\"code\": 201, \"reason\": \"Made\", \"headers\":"
					+ " {\"A\": \"b\"}, \"body\": \"y\"}, \"ws-message\": {\"content-bin\": \"AAE=\"}}}",
			"{\"channel\": \"c\", \"meta\": {\"k\": \"v\"}, \"formats\": {\"ws-message\": {\"action\": \"close\","
					+ " \"code\": 1001}, \"http-stream\": {\"action\": \"close\"}}}" };

	@Property(tries = 10_000)
	void onlyMalformedBusMessageExceptionEscapes(@ForAll("messages") byte[] message) {
		try {
			assertThat(BusCodec.decode(message)).isNotNull();
		}
		catch (MalformedBusMessageException expected) {
			assertThat(expected.getMessage()).isNotBlank();
		}
	}

	@Property(tries = 10_000)
	void parsedItemsSurviveARoundTrip(@ForAll("bodies") byte[] body) throws MalformedBusMessageException {
		java.util.List<PublishItem> items;
		try {
			items = PublishRequestParser.parse(body);
		}
		catch (InvalidPublishException ex) {
			return;
		}
		for (PublishItem item : items) {
			assertThat(BusCodec.decode(BusCodec.encode(item, 42)).item()).isEqualTo(item);
		}
	}

	@Provide
	Arbitrary<byte[]> messages() {
		Arbitrary<byte[]> valid = Arbitraries.of(ITEMS)
			.map((json) -> PublishRequestParser.parse(("{\"items\": [" + json + "]}").getBytes(StandardCharsets.UTF_8))
				.get(0))
			.map((item) -> BusCodec.encode(item, 1));
		return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, FuzzInputs.corrupted(valid)),
				net.jqwik.api.Tuple.of(1, valid), net.jqwik.api.Tuple.of(3, FuzzInputs.bytes()));
	}

	@Provide
	Arbitrary<byte[]> bodies() {
		return FuzzInputs.jsonDocuments();
	}

}
