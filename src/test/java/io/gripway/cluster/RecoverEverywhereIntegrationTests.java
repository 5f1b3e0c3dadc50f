package io.gripway.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.gripway.test.GripwayInstance;
import io.gripway.test.RedisServer;
import io.gripway.test.ReliableOrigin;
import io.gripway.test.StreamClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /recover} sent to one replica (as a load balancer would send it, to any) recovers the held connections
 * of every replica, not only its own.
 */
class RecoverEverywhereIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(15);

	static RedisServer redis;

	static ReliableOrigin origin;

	static GripwayInstance a;

	static GripwayInstance b;

	@BeforeAll
	static void start() {
		redis = RedisServer.started();
		origin = new ReliableOrigin();
		a = replica();
		b = replica();
	}

	static GripwayInstance replica() {
		return GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.bus.type=redis",
				"gripway.bus.redis.url=" + redis.url(), "gripway.bus.redis.channel-prefix=recover-everywhere:");
	}

	@AfterAll
	static void stop() {
		b.close();
		a.close();
		origin.close();
		redis.close();
	}

	@Test
	void recoverAskedOfOneReplicaRecoversTheConnectionsOfEvery() throws Exception {
		origin.append("on-a");
		origin.append("on-b");
		try (StreamClient onA = StreamClient.open(a.proxyUrl() + "/stream?ch=on-a");
				StreamClient onB = StreamClient.open(b.proxyUrl() + "/stream?ch=on-b")) {
			onA.awaitReceived("open\n", WAIT);
			onB.awaitReceived("open\n", WAIT);
			a.awaitSubscribers("on-a", 1);
			b.awaitSubscribers("on-b", 1);
			// stored, never published: only a recovery brings them
			origin.append("on-a");
			origin.append("on-b");
			HttpResponse<String> recover = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.publishPort() + "/recover"))
					.POST(HttpRequest.BodyPublishers.noBody())
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(recover.statusCode()).isEqualTo(200);
			onA.awaitReceived("item 2\n", WAIT);
			onB.awaitReceived("item 2\n", WAIT);
			assertThat(onB.received()).isEqualTo("open\nitem 2\n");
		}
	}

}
