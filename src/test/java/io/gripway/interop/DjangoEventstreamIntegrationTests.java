package io.gripway.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.gripway.interop.DjangoEventstreamOrigin.PADDING;
import static io.gripway.interop.DjangoEventstreamOrigin.STREAM_OPEN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gripway in front of an origin speaking GRIP as django-eventstream does (issue 10; reference §2.6, §3.3, §3.4), over
 * the real SSE wire: ids rendered by {@code build-id}, reconnects with {@code Last-Event-ID}, a lost publish repaired
 * through the library's {@code ?link=next&recover=true} next link, and a kick through {@code require-sub}.
 */
@ExtendWith(NettyLeakCheck.class)
class DjangoEventstreamIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(15);

	static DjangoEventstreamOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new DjangoEventstreamOrigin();
		// a short sequencer wait: an item after a lost one is held back this long before the connection sees the gap
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.hold.message-wait=1s");
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	/** One SSE event as a browser's EventSource would dispatch it. */
	record Event(String type, String id, String data) {
	}

	/** The events of an SSE stream, comments and keep-alives left out; a trailing incomplete event is not included. */
	static List<Event> events(String stream) {
		List<Event> events = new ArrayList<>();
		int end = stream.lastIndexOf("\n\n");
		if (end < 0) {
			return events;
		}
		for (String block : stream.substring(0, end).split("\n\n")) {
			String type = "message";
			String id = "";
			List<String> data = new ArrayList<>();
			boolean any = false;
			for (String line : block.split("\n")) {
				if (line.startsWith(":") || line.isEmpty()) {
					continue;
				}
				any = true;
				String field = line.contains(":") ? line.substring(0, line.indexOf(':')) : line;
				String value = line.contains(":") ? line.substring(line.indexOf(':') + 1) : "";
				value = value.startsWith(" ") ? value.substring(1) : value;
				switch (field) {
					case "event" -> type = value;
					case "id" -> id = value;
					case "data" -> data.add(value);
					default -> {
					}
				}
			}
			if (any && !type.equals("stream-open") && !type.equals("keep-alive")) {
				events.add(new Event(type, id, String.join("\n", data)));
			}
		}
		return events;
	}

	static String data(int n) {
		// send_event json-encodes the data (Python's separators); the % must come out as it went in
		return "{\"n\": " + n + ", \"progress\": \"" + (n * 10) + "%\"}";
	}

	static Event message(String channel, int n) {
		return new Event("message", channel + ":" + n, data(n));
	}

	/** Waits until the stream has {@code count} complete events (stream-open and keep-alives not counted). */
	static void awaitEvents(StreamClient stream, int count) {
		Await.until(WAIT, () -> events(stream.received()).size() >= count,
				() -> count + " events; got " + events(stream.received()) + (stream.completed() ? " (ended)" : ""));
	}

	static void awaitSubscribed(String channel) {
		Await.until(WAIT, () -> gripway.registry().subscriberCount("events-" + channel) == 1,
				() -> "a subscriber on 'events-" + channel + "', have "
						+ gripway.registry().subscriberCount("events-" + channel));
	}

	static StreamClient open(String channel, Map<String, String> headers) {
		return StreamClient.open(gripway.proxyUrl() + "/events/?channel=" + channel, headers);
	}

	@Test
	void liveEventsReachTheClientWithTheirIdsRendered() {
		try (StreamClient stream = open("c1", Map.of())) {
			stream.awaitReceived(STREAM_OPEN, WAIT);
			awaitSubscribed("c1");
			for (int n = 1; n <= 3; n++) {
				origin.sendEvent(gripway, "c1", data(n));
			}
			awaitEvents(stream, 3);
			assertThat(stream.status()).isEqualTo(200);
			assertThat(stream.headers().get("Content-Type")).isEqualTo("text/event-stream");
			assertThat(stream.headers().names()).noneMatch((name) -> name.regionMatches(true, 0, "Grip-", 0, 5));
			assertThat(stream.received()).doesNotContain("%I").doesNotContain("%%");
			assertThat(stream.received()).isEqualTo(PADDING + STREAM_OPEN
					+ "event: message\nid: c1:1\ndata: " + data(1) + "\n\n"
					+ "event: message\nid: c1:2\ndata: " + data(2) + "\n\n"
					+ "event: message\nid: c1:3\ndata: " + data(3) + "\n\n");
		}
	}

	@Test
	void aReconnectWithLastEventIdGetsExactlyTheEventsAfterItThenLiveOnes() {
		for (int n = 1; n <= 5; n++) {
			// published while nobody listens, as the library does
			origin.sendEvent(gripway, "c2", data(n));
		}
		try (StreamClient stream = open("c2", Map.of("Last-Event-ID", "c2:3"))) {
			stream.awaitReceived(STREAM_OPEN, WAIT);
			awaitEvents(stream, 2);
			awaitSubscribed("c2");
			origin.sendEvent(gripway, "c2", data(6));
			awaitEvents(stream, 3);
			assertThat(events(stream.received())).containsExactly(message("c2", 4), message("c2", 5),
					message("c2", 6));
			assertThat(origin.received()).anyMatch((request) -> request.uri().equals("/events/?channel=c2")
					&& "c2:3".equals(request.headers().get("Last-Event-ID")));
		}
	}

	@Test
	void aLostPublishIsRepairedThroughTheNextLinkInOrderOnce() {
		try (StreamClient stream = open("c3", Map.of())) {
			stream.awaitReceived(STREAM_OPEN, WAIT);
			awaitSubscribed("c3");
			origin.sendEvent(gripway, "c3", data(1));
			awaitEvents(stream, 1);
			// event 2 is stored but its publish is lost; event 3's prev-id names it
			origin.store("c3", data(2));
			origin.sendEvent(gripway, "c3", data(3));
			awaitEvents(stream, 3);
			origin.sendEvent(gripway, "c3", data(4));
			awaitEvents(stream, 4);
			assertThat(events(stream.received())).containsExactly(message("c3", 1), message("c3", 2),
					message("c3", 3), message("c3", 4));
			assertThat(stream.received()).doesNotContain("%I").doesNotContain("%%");
			List<TestOrigin.Received> nextLinks = origin.received()
				.stream()
				.filter((request) -> request.uri().startsWith("/events/?channel=c3&link=next&recover=true&es-meta="))
				.toList();
			assertThat(nextLinks).isNotEmpty();
			assertThat(nextLinks.get(0).headers().getAll("Grip-Last")).contains("events-c3; last-id=1");
		}
	}

	@Test
	void aKickEndsTheStreamsOfThatChannelOnlyWithAStreamError() {
		try (StreamClient kicked = open("c4", Map.of()); StreamClient other = open("c5", Map.of())) {
			kicked.awaitReceived(STREAM_OPEN, WAIT);
			other.awaitReceived(STREAM_OPEN, WAIT);
			awaitSubscribed("c4");
			awaitSubscribed("c5");
			Await.until("both on user-anonymous", WAIT,
					() -> gripway.registry().subscriberCount("user-anonymous") == 2);
			for (String body : DjangoEventstreamOrigin.kickBodies("anonymous", "c4")) {
				gripway.publishOk(body);
			}
			kicked.awaitEnd(WAIT);
			assertThat(events(kicked.received())).containsExactly(new Event("stream-error", "error",
					"{'condition': 'forbidden', 'text': 'Permission denied to channels: c4', 'channels': ['c4']}"));
			// require-sub: the other stream of the same user is not on events-c4 and hears nothing
			origin.sendEvent(gripway, "c5", data(1));
			awaitEvents(other, 1);
			assertThat(events(other.received())).containsExactly(message("c5", 1));
			assertThat(other.completed()).isFalse();
		}
	}

}
