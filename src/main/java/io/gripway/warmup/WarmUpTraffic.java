package io.gripway.warmup;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.gripway.bus.MessageBus;
import io.gripway.hold.HoldRegistry;
import io.gripway.publish.PublishRequestParser;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The warm-up's clients: rounds of long-polls and SSE streams, each on a fresh connection as the clients of a restart
 * arrive, held on a channel of the round and released by a publish through the bus, and rounds of plain requests on
 * kept-alive connections. Every wait is bounded by the deadline.
 */
final class WarmUpTraffic implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(WarmUpTraffic.class);

	/** Connections a round opens at once: enough for the fan-out to go through its batching. */
	static final int ROUND = 100;

	/** A long-poll's answer, as published to it. */
	static final String PUBLISHED = "warm\n";

	// what a request that failed (refused, reset) counts as, so that it does not cancel the rest of its round
	private static final String FAILED = "";

	/** The event published to each held stream before it is closed. */
	static final String STREAM_EVENT = "data: warm\n\n";

	// how long the held count of a round may stay the same before the round is published to as it is
	private static final Duration STALLED = Duration.ofSeconds(2);

	// a publish on a Redis bus can arrive before this node's subscription to the new channel has: it is sent again
	private static final Duration REPUBLISH = Duration.ofMillis(250);

	private final HoldRegistry registry;

	private final MessageBus bus;

	private final HttpClient fresh;

	private final ConnectionProvider pool;

	private final HttpClient pooled;

	private final int roundSize;

	private final String channelPrefix = "gripway-warm-up." + UUID.randomUUID() + ".";

	WarmUpTraffic(int gatewayPort, LoopResources loops, HoldRegistry registry, MessageBus bus) {
		this.registry = registry;
		this.bus = bus;
		// a node configured to hold fewer connections gets smaller rounds, which it can hold whole
		this.roundSize = Math.max(1, Math.min(ROUND, registry.limits().maxHeldConnections() / 2));
		String base = "http://127.0.0.1:" + gatewayPort;
		this.fresh = HttpClient.newConnection().runOn(loops).baseUrl(base);
		this.pool = ConnectionProvider.builder("gripway-warm-up").maxConnections(16).build();
		this.pooled = HttpClient.create(this.pool).runOn(loops).baseUrl(base);
	}

	/** Runs rounds until {@code requests} requests were made or the deadline passed, and says what went through. */
	WarmUpReport run(int requests, long deadlineNanos) {
		long started = System.nanoTime();
		int longPolls = 0;
		int streams = 0;
		int plain = 0;
		int made = 0;
		for (int round = 0; made < requests && System.nanoTime() < deadlineNanos; round++) {
			int size = Math.min(this.roundSize, requests - made);
			String channel = this.channelPrefix + round;
			switch (round % 3) {
				case 0 -> longPolls += longPolls(channel, size, deadlineNanos);
				case 1 -> streams += streams(channel, size, deadlineNanos);
				default -> plain += plain(size, deadlineNanos);
			}
			made += size;
		}
		return new WarmUpReport(made, longPolls, streams, plain, Duration.ofNanos(System.nanoTime() - started));
	}

	/** How many of {@code size} long-polls got the published answer. */
	private int longPolls(String channel, int size, long deadlineNanos) {
		CompletableFuture<List<String>> answers = Flux.range(0, size)
			.flatMap((i) -> this.fresh.get()
				.uri(WarmUpOrigin.LONG_POLL + channel)
				.responseSingle((response, body) -> body.asString().defaultIfEmpty(""))
				.onErrorReturn(FAILED), size)
			.collectList()
			.toFuture();
		awaitSubscribers(channel, size, answers, deadlineNanos);
		publishUntilDone(items(channel, "{\"http-response\":{\"body\":\"warm\\n\"}}"), answers, deadlineNanos);
		return (int) outcome(answers, deadlineNanos).stream().filter(PUBLISHED::equals).count();
	}

	/** How many of {@code size} SSE streams got their first event, the published one, and were closed by a publish. */
	private int streams(String channel, int size, long deadlineNanos) {
		CompletableFuture<List<String>> bodies = Flux.range(0, size)
			.flatMap((i) -> this.fresh.get()
				.uri(WarmUpOrigin.STREAM + channel)
				.response((response, body) -> body.asString())
				.reduce("", String::concat)
				.onErrorReturn(FAILED), size)
			.collectList()
			.toFuture();
		awaitSubscribers(channel, size, bodies, deadlineNanos);
		publishUntilDone(items(channel, "{\"http-stream\":{\"content\":\"data: warm\\n\\n\"}}",
				"{\"http-stream\":{\"action\":\"close\"}}"), bodies, deadlineNanos);
		return (int) outcome(bodies, deadlineNanos).stream()
			.filter((body) -> body.startsWith(WarmUpOrigin.STREAM_START) && body.contains(STREAM_EVENT))
			.count();
	}

	/** How many of {@code size} plain requests, a quarter of them POSTs with a body, got the origin's answer. */
	private int plain(int size, long deadlineNanos) {
		CompletableFuture<List<String>> answers = Flux.range(0, size)
			.flatMap((i) -> ((i % 4 == 0)
					? this.pooled.post().uri(WarmUpOrigin.PLAIN).send(ByteBufFlux.fromString(Mono.just("warm")))
					: this.pooled.get().uri(WarmUpOrigin.PLAIN))
				.responseSingle((response, body) -> body.asString().defaultIfEmpty(""))
				.onErrorReturn(FAILED), 16)
			.collectList()
			.toFuture();
		return (int) outcome(answers, deadlineNanos).stream().filter(WarmUpOrigin.PLAIN_BODY::equals).count();
	}

	/**
	 * Waits until the round's requests are all held, or none is left to come: they all ended (refused, failed), or
	 * their number stopped growing (some were refused, at the hold limit say), so that a publish reaches them all.
	 */
	private void awaitSubscribers(String channel, int size, CompletableFuture<?> requests, long deadlineNanos) {
		int seen = -1;
		long grewAt = System.nanoTime();
		while (!requests.isDone() && remaining(deadlineNanos) > 0) {
			int count = this.registry.subscriberCount(channel);
			long now = System.nanoTime();
			if (count >= size || (count == seen && now - grewAt > STALLED.toNanos())) {
				return;
			}
			if (count != seen) {
				seen = count;
				grewAt = now;
			}
			if (!pause()) {
				return;
			}
		}
	}

	private void publishUntilDone(byte[] json, CompletableFuture<?> released, long deadlineNanos) {
		while (!released.isDone() && System.nanoTime() < deadlineNanos) {
			try {
				this.bus.publish(PublishRequestParser.parse(json)).block(REPUBLISH.multipliedBy(4));
			}
			catch (RuntimeException ex) {
				// a bus that cannot relay now (Redis still connecting): the round ends at its deadline
				logger.debug("Warm-up publish failed", ex);
			}
			try {
				released.get(Math.min(REPUBLISH.toNanos(), remaining(deadlineNanos)), TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException | ExecutionException ex) {
				// not released yet, or failed: the loop condition decides
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/** What the round's requests got, or nothing when they failed or missed the deadline (their connections close). */
	private static List<String> outcome(CompletableFuture<List<String>> round, long deadlineNanos) {
		try {
			return round.get(remaining(deadlineNanos), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.debug("Warm-up round incomplete", ex);
		}
		// cancelling the future cancels the requests, which closes their connections and ends their holds
		round.cancel(true);
		return List.of();
	}

	private static byte[] items(String channel, String... formats) {
		StringBuilder json = new StringBuilder("{\"items\":[");
		for (int i = 0; i < formats.length; i++) {
			json.append((i > 0) ? "," : "").append("{\"channel\":\"").append(channel).append("\",\"formats\":")
				.append(formats[i]).append('}');
		}
		return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
	}

	/** Sleeps a little; false when interrupted. */
	private static boolean pause() {
		try {
			Thread.sleep(2);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static long remaining(long deadlineNanos) {
		return Math.max(0, deadlineNanos - System.nanoTime());
	}

	@Override
	public void close() {
		this.pool.disposeLater().block(Duration.ofSeconds(5));
	}

}
