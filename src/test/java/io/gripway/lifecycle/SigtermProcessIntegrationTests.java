package io.gripway.lifecycle;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.GripwayApplication;
import io.gripway.test.Await;
import io.gripway.test.FreePorts;
import io.gripway.test.Management;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real thing: Gripway in a child JVM, a held long-poll, a real SIGTERM ({@link Process#destroy()} on Linux), and
 * the client gets its timeout response before the process exits, within the drain window plus a margin.
 */
class SigtermProcessIntegrationTests {

	static final Duration WINDOW = Duration.ofSeconds(2);

	@Test
	void sigtermAnswersTheHeldLongPollAndExits() throws Exception {
		Path log = Files.createDirectories(Path.of("target")).resolve("sigterm-child.log");
		int proxyPort = FreePorts.next();
		int managementPort = FreePorts.next();
		int publishPort = FreePorts.next();
		try (TestOrigin origin = new TestOrigin()) {
			origin.route("/hold", (request, response) -> response.header("Grip-Hold", "response")
				.header("Grip-Channel", "sigterm")
				.header("Grip-Timeout", "120")
				.sendString(Mono.just("timed out\n")));
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
					System.getProperty("java.class.path"), GripwayApplication.class.getName(),
					"--server.port=" + proxyPort, "--management.server.port=" + managementPort,
					"--gripway.publish.port=" + publishPort, "--gripway.origin=" + origin.url(),
					"--gripway.drain.window=" + WINDOW.toMillis() + "ms", "--spring.jmx.enabled=false"))
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			try {
				Await.until(Duration.ofSeconds(60), () -> !process.isAlive()
						|| Management.status(managementPort, "/actuator/health/readiness") == 200,
						() -> "child ready; log: " + tail(log.toFile()));
				assertThat(process.isAlive()).as("child running").isTrue();
				HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
				CompletableFuture<HttpResponse<String>> held = client.sendAsync(
						HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/hold"))
							.timeout(Duration.ofSeconds(60))
							.build(),
						HttpResponse.BodyHandlers.ofString());
				Await.until(Duration.ofSeconds(10), () -> Double.valueOf(1).equals(Management.sample(
						Management.get(managementPort, "/actuator/prometheus").body(),
						"gripway_held_connections{application=\"gripway\",mode=\"response\"}")),
						() -> "long-poll held in the child");

				long signalled = System.nanoTime();
				process.destroy();
				HttpResponse<String> response = held.get(WINDOW.toSeconds() + 10, TimeUnit.SECONDS);
				assertThat(response.statusCode()).isEqualTo(200);
				assertThat(response.body()).isEqualTo("timed out\n");
				assertThat(process.waitFor(WINDOW.toSeconds() + 15, TimeUnit.SECONDS)).as("child exited").isTrue();
				long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
				assertThat(process.exitValue()).as("exit code; log: " + tail(log.toFile())).isIn(0, 143);
				assertThat(exitMillis).isLessThan(WINDOW.plusSeconds(10).toMillis());
				assertThat(Files.readString(log)).contains("Drained in");
			}
			finally {
				if (process.isAlive()) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
		}
	}

	private static String tail(File file) {
		try {
			List<String> lines = Files.readAllLines(file.toPath());
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

}
