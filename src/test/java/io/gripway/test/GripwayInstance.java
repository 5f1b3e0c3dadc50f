package io.gripway.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.gripway.GripwayApplication;
import io.gripway.hold.HoldRegistry;
import io.gripway.publish.endpoint.PublishServer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * A real Gripway, started as the application itself on random loopback ports, for integration tests. Several can run
 * in one JVM (one per replica in cluster tests).
 */
public final class GripwayInstance implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final Duration SUBSCRIBERS_WAIT = Duration.ofSeconds(20);

	private final ConfigurableApplicationContext context;

	private GripwayInstance(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/** Starts Gripway with {@code properties} ({@code name=value}) on top of random ports. */
	public static GripwayInstance start(String... properties) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--gripway.publish.port=0",
				"--management.server.port=0", "--spring.jmx.enabled=false"));
		for (String property : properties) {
			args.add("--" + property);
		}
		// each instance gets event loops of its own, as a separate process would: with the default global ones,
		// closing one instance would stop every other instance in this JVM
		ConfigurableApplicationContext context = new SpringApplicationBuilder(GripwayApplication.class)
			.initializers(ctx -> ((GenericApplicationContext) ctx).registerBean(ReactorResourceFactory.class, () -> {
				ReactorResourceFactory resources = new ReactorResourceFactory();
				resources.setUseGlobalResources(false);
				resources.setShutdownQuietPeriod(Duration.ZERO);
				return resources;
			}))
			.run(args.toArray(String[]::new));
		return new GripwayInstance(context);
	}

	public int proxyPort() {
		return Integer.parseInt(this.context.getEnvironment().getRequiredProperty("local.server.port"));
	}

	public String proxyUrl() {
		return "http://127.0.0.1:" + proxyPort();
	}

	public int managementPort() {
		return Integer.parseInt(this.context.getEnvironment().getRequiredProperty("local.management.port"));
	}

	public int publishPort() {
		return this.context.getBean(PublishServer.class).port();
	}

	public String publishUrl() {
		return "http://127.0.0.1:" + publishPort() + "/publish/";
	}

	public HoldRegistry registry() {
		return this.context.getBean(HoldRegistry.class);
	}

	/** Waits (at most 20 s) until {@code count} holds on this node are subscribed to {@code channel}. */
	public void awaitSubscribers(String channel, int count) {
		Await.until(SUBSCRIBERS_WAIT, () -> registry().subscriberCount(channel) == count,
				() -> count + " subscribers on '" + channel + "', have " + registry().subscriberCount(channel));
	}

	public ConfigurableApplicationContext context() {
		return this.context;
	}

	/** POSTs {@code json} to the publish API and returns the response. */
	public HttpResponse<String> publish(String json) {
		try {
			return http.send(HttpRequest.newBuilder(URI.create(publishUrl()))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException("publish failed", ex);
		}
	}

	/** POSTs {@code /recover} to the publish API and returns the response. */
	public HttpResponse<String> recover() {
		try {
			return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + publishPort() + "/recover"))
				.POST(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException("recover failed", ex);
		}
	}

	/** Publishes and insists on 200. */
	public void publishOk(String json) {
		HttpResponse<String> response = publish(json);
		if (response.statusCode() != 200) {
			throw new AssertionError("publish answered " + response.statusCode() + ": " + response.body());
		}
	}

	@Override
	public void close() {
		this.context.close();
	}

}
