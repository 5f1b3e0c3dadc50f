package io.gripway.hold;

import java.time.Duration;

import io.gripway.test.GripwayInstance;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code skip-users} and {@code require-sub} subscription filters end to end (GRIP reference §2.6): the origin
 * sets them on a held stream's channel (header form and JSON form) with the subscriber's meta, and a publish's meta
 * decides who gets it. Each check ends with an unfiltered publish, so a stream that got nothing is shown alive and
 * the filtered item shown never to have come before it.
 */
class SubscriptionFiltersIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		// /stream?ch=a&ch=b&filter=f&user=u: header form, the filter on the first channel only
		origin.route("/stream", (request, response) -> {
			QueryStringDecoder query = new QueryStringDecoder(request.uri());
			var channels = query.parameters().get("ch");
			String first = channels.get(0) + "; filter=" + query.parameters().get("filter").get(0);
			String rest = String.join(", ", channels.subList(1, channels.size()));
			response.header("Grip-Hold", "stream").header("Grip-Channel", rest.isEmpty() ? first : first + ", " + rest);
			if (query.parameters().containsKey("user")) {
				response.header("Grip-Set-Meta", "user=\"" + query.parameters().get("user").get(0) + "\"");
			}
			return response.header("Content-Type", "text/plain").sendString(Mono.just("open\n"));
		});
		// /json-stream?user=u: JSON form, skip-users on json-room
		origin.route("/json-stream", (request, response) -> {
			String user = new QueryStringDecoder(request.uri()).parameters().get("user").get(0);
			return response.header("Content-Type", "application/grip-instruct").sendString(Mono.just("""
					{"hold": {"mode": "stream", "channels": [{"name": "json-room", "filters": ["skip-users"]}],
					          "meta": {"user": "%s"}},
					 "response": {"body": "open\\n"}}""".formatted(user)));
		});
		gripway = GripwayInstance.start("gripway.origin=" + origin.url());
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	@Test
	void skipUsersKeepsThePublishFromTheListedUsersOnly() {
		try (StreamClient alice = open("/stream?ch=room&filter=skip-users&user=alice");
				StreamClient bob = open("/stream?ch=room&filter=skip-users&user=bob");
				StreamClient carol = open("/stream?ch=room&filter=skip-users&user=carol");
				StreamClient anonymous = open("/stream?ch=room&filter=skip-users")) {
			gripway.awaitSubscribers("room", 4);
			gripway.publishOk(item("room", "{\"skip_users\": \"alice, carol\"}", "not for alice or carol\\n"));
			gripway.publishOk(item("room", null, "everyone\\n"));
			for (StreamClient stream : new StreamClient[] { alice, bob, carol, anonymous }) {
				stream.awaitReceived("everyone\n", WAIT);
			}
			assertThat(alice.received()).isEqualTo("open\neveryone\n");
			assertThat(carol.received()).isEqualTo("open\neveryone\n");
			assertThat(bob.received()).isEqualTo("open\nnot for alice or carol\neveryone\n");
			// a subscriber without a user is no listed user
			assertThat(anonymous.received()).isEqualTo("open\nnot for alice or carol\neveryone\n");
		}
	}

	@Test
	void skipUsersSetInTheJsonInstructionKeepsThePublishFromThatUser() {
		try (StreamClient alice = open("/json-stream?user=alice"); StreamClient bob = open("/json-stream?user=bob")) {
			gripway.awaitSubscribers("json-room", 2);
			gripway.publishOk(item("json-room", "{\"skip_users\": \"alice\"}", "not for alice\\n"));
			gripway.publishOk(item("json-room", null, "everyone\\n"));
			alice.awaitReceived("everyone\n", WAIT);
			bob.awaitReceived("everyone\n", WAIT);
			assertThat(alice.received()).isEqualTo("open\neveryone\n");
			assertThat(bob.received()).isEqualTo("open\nnot for alice\neveryone\n");
		}
	}

	@Test
	void requireSubDeliversOnlyToSubscribersAlsoOnTheRequiredChannel() {
		try (StreamClient member = open("/stream?ch=lobby&ch=vip&filter=require-sub");
				StreamClient guest = open("/stream?ch=lobby&ch=other&filter=require-sub")) {
			gripway.awaitSubscribers("lobby", 2);
			gripway.awaitSubscribers("vip", 1);
			gripway.awaitSubscribers("other", 1);
			gripway.publishOk(item("lobby", "{\"require_sub\": \"vip\"}", "vip only\\n"));
			gripway.publishOk(item("lobby", null, "everyone\\n"));
			member.awaitReceived("everyone\n", WAIT);
			guest.awaitReceived("everyone\n", WAIT);
			assertThat(member.received()).isEqualTo("open\nvip only\neveryone\n");
			assertThat(guest.received()).isEqualTo("open\neveryone\n");
		}
	}

	static StreamClient open(String path) {
		return StreamClient.open(gripway.proxyUrl() + path).awaitReceived("open\n", WAIT);
	}

	/** One http-stream item with publish meta ({@code null}: none). */
	static String item(String channel, String meta, String content) {
		String metaField = (meta != null) ? ",\"meta\":" + meta : "";
		return "{\"items\":[{\"channel\":\"" + channel + "\"" + metaField + ",\"formats\":{\"http-stream\":{\"content\":\""
				+ content + "\"}}}]}";
	}

}
