package io.gripway.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * An origin written for reliable GRIP delivery, the way django-eventstream and Pushpin's own examples are: it keeps
 * every item of each channel in a store, holds streams with {@code prev-id} set to the channel's last id and a next
 * link, answers the next link from the store after the {@code Grip-Last} it is sent, and retries of long-polls the same
 * way. The test appends to the store and publishes, or "loses" a publish by appending without publishing.
 *
 * <p>
 * Routes ({@code ch} names the channel):
 * <ul>
 * <li>{@code /stream?ch=X[&after=N]}: a stream hold on X with {@code prev-id} N (default: the last id), a next link,
 * body {@code open\n};
 * <li>{@code /next?ch=X}: the items after {@code Grip-Last}'s last-id, one per line, and the same instruction again;
 * <li>{@code /poll?ch=X&after=N}: items after N (or after {@code Grip-Last}) now if there are any, else a long-poll on
 * X with {@code prev-id} N; with {@code stale=1} and no {@code Grip-Last}, a long-poll in any case.
 * </ul>
 */
public final class ReliableOrigin implements AutoCloseable {

	private final TestOrigin origin = new TestOrigin();

	private final Map<String, List<String>> store = new ConcurrentHashMap<>();

	private final List<String> gripLast = new CopyOnWriteArrayList<>();

	private volatile Duration nextDelay = Duration.ZERO;

	public ReliableOrigin() {
		this.origin.route("/stream", (request, response) -> {
			String channel = query(request.uri(), "ch");
			// a client that says where it is (as Last-Event-ID would) is held there, else at the channel's last id
			String at = request.uri().contains("after=") ? query(request.uri(), "after") : lastId(channel);
			return response.header("Grip-Hold", "stream")
				.header("Grip-Channel", channel + "; prev-id=" + at)
				.header("Grip-Link", "</next?ch=" + channel + ">; rel=next")
				.header("Content-Type", "text/plain")
				.sendString(Mono.just("open\n"));
		});
		this.origin.route("/next", (request, response) -> {
			String channel = query(request.uri(), "ch");
			String after = lastIdSent(request.requestHeaders(), channel);
			this.gripLast.addAll(request.requestHeaders().getAll("Grip-Last"));
			String body = itemsAfter(channel, after);
			return Mono.delay(this.nextDelay)
				.then(response.header("Grip-Hold", "stream")
					.header("Grip-Channel", channel + "; prev-id=" + lastId(channel))
					.header("Grip-Link", "</next?ch=" + channel + ">; rel=next")
					.sendString(Mono.just(body))
					.then());
		});
		this.origin.route("/poll", (request, response) -> {
			String channel = query(request.uri(), "ch");
			this.gripLast.addAll(request.requestHeaders().getAll("Grip-Last"));
			String after = lastIdSent(request.requestHeaders(), channel);
			// a stale origin (a cache in front of it, say) holds at the client's position until told Grip-Last
			boolean stale = after == null && request.uri().contains("stale=1");
			if (after == null) {
				after = query(request.uri(), "after");
			}
			String items = itemsAfter(channel, after);
			if (!items.isEmpty() && !stale) {
				return response.sendString(Mono.just(items));
			}
			return response.header("Grip-Hold", "response")
				.header("Grip-Channel", channel + "; prev-id=" + after)
				.header("Grip-Timeout", "30")
				.sendString(Mono.just("timeout\n"));
		});
	}

	/** Adds an item to the channel's store and returns its id (1, 2, ...), without publishing it. */
	public String append(String channel) {
		List<String> items = this.store.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
		synchronized (items) {
			items.add("item " + (items.size() + 1));
			return String.valueOf(items.size());
		}
	}

	/** The publish of the item with {@code id} on {@code channel}, as a reliable origin sends it. */
	public static String streamPublish(String channel, String id) {
		return "{\"items\":[{\"channel\":\"" + channel + "\",\"id\":\"" + id + "\",\"prev-id\":\""
				+ (Integer.parseInt(id) - 1) + "\",\"formats\":{\"http-stream\":{\"content\":\"item " + id
				+ "\\n\"},\"http-response\":{\"body\":\"item " + id + "\\n\"}}}]}";
	}

	/** The text every item of the channel up to {@code id} makes, in order: what a client that missed none has. */
	public static String itemsUpTo(int id) {
		StringBuilder text = new StringBuilder();
		for (int n = 1; n <= id; n++) {
			text.append("item ").append(n).append('\n');
		}
		return text.toString();
	}

	/** Makes the next link answer slowly, so concurrent fetches overlap. */
	public void delayNextLinks(Duration delay) {
		this.nextDelay = delay;
	}

	/** Every {@code Grip-Last} header value the origin was sent, in arrival order. */
	public List<String> gripLast() {
		return this.gripLast;
	}

	public TestOrigin origin() {
		return this.origin;
	}

	public String url() {
		return this.origin.url();
	}

	/** Requests the origin received on {@code path}. */
	public long requests(String path) {
		return this.origin.received().stream().filter(r -> r.uri().startsWith(path)).count();
	}

	private String lastId(String channel) {
		List<String> items = this.store.getOrDefault(channel, List.of());
		return String.valueOf(items.size());
	}

	private String itemsAfter(String channel, @Nullable String after) {
		List<String> items = new ArrayList<>(this.store.getOrDefault(channel, List.of()));
		int from = (after != null) ? Integer.parseInt(after) : items.size();
		StringBuilder body = new StringBuilder();
		for (int n = from; n < items.size(); n++) {
			body.append(items.get(n)).append('\n');
		}
		return body.toString();
	}

	private static @Nullable String lastIdSent(HttpHeaders headers, String channel) {
		for (String value : headers.getAll("Grip-Last")) {
			String[] parts = value.split(";\\s*last-id=", 2);
			if (parts.length == 2 && parts[0].trim().equals(channel)) {
				return parts[1].trim();
			}
		}
		return null;
	}

	private static String query(String uri, String name) {
		int start = uri.indexOf('?');
		if (start >= 0) {
			for (String pair : uri.substring(start + 1).split("&")) {
				if (pair.startsWith(name + "=")) {
					return pair.substring(name.length() + 1);
				}
			}
		}
		throw new IllegalArgumentException("no " + name + " in " + uri);
	}

	@Override
	public void close() {
		this.origin.close();
	}

}
