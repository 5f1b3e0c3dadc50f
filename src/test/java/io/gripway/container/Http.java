package io.gripway.container;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.gripway.test.Management;

/** A client's and a publisher's requests to a Gripway in a container (on the host's network, so on 127.0.0.1). */
final class Http {

	private static final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	/** Held connections of {@code mode} ({@code response}, {@code stream}) per {@code /actuator/prometheus}. */
	static final String HELD = "gripway_held_connections{application=\"gripway\",mode=\"%s\"}";

	private Http() {
	}

	static HttpResponse<String> get(int port, String path) {
		try {
			return client.send(request(port, path).GET().timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException("GET " + path + " on port " + port + " failed: " + ex, ex);
		}
	}

	/** A GET whose answer may come much later (a long-poll). */
	static CompletableFuture<HttpResponse<String>> getLater(int port, String path, Duration timeout) {
		return client.sendAsync(request(port, path).GET().timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
	}

	/** POSTs a publish API body; returns the response (a 503 when the bus cannot relay it). */
	static HttpResponse<String> publish(int port, String json) {
		try {
			return client.send(request(port, "/publish/").POST(HttpRequest.BodyPublishers.ofString(json))
				.header("Content-Type", "application/json")
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException("publish on port " + port + " failed: " + ex, ex);
		}
	}

	/** How many connections of {@code mode} the Gripway with this management port holds (0 when it says nothing). */
	static double held(int managementPort, String mode) {
		Double held = Management.sample(Management.get(managementPort, "/actuator/prometheus").body(),
				HELD.formatted(mode));
		return held == null ? 0 : held;
	}

	private static HttpRequest.Builder request(int port, String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
	}

}
