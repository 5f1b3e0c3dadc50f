package io.gripway.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the actuator endpoints on a management port, as a kubelet probe or Prometheus would. */
public final class Management {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private Management() {
	}

	/** GETs {@code path} on the management port; fails on connection errors. */
	public static HttpResponse<String> get(int port, String path) {
		try {
			return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException("GET " + path + " on port " + port + " failed: " + ex, ex);
		}
	}

	/**
	 * The status code, or -1 when nothing answered (the server has stopped). Tried three times: a pooled client
	 * connection the server has just closed fails once, which a probe opening its own connection never sees.
	 */
	public static int status(int port, String path) {
		for (int attempt = 1;; attempt++) {
			try {
				return get(port, path).statusCode();
			}
			catch (IllegalStateException ex) {
				if (attempt == 3) {
					return -1;
				}
				try {
					Thread.sleep(100);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return -1;
				}
			}
		}
	}

	/** The value of the Prometheus sample whose line starts with {@code series} (name and labels), or null. */
	public static Double sample(String scrape, String series) {
		for (String line : scrape.split("\n")) {
			if (line.startsWith(series + " ")) {
				return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
			}
		}
		return null;
	}

}
