package io.gripway.interop;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Await;
import io.gripway.test.GripwayInstance;
import io.gripway.test.Prerequisites;
import io.gripway.test.StreamClient;
import io.gripway.test.TestOrigin;
import io.gripway.test.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official GRIP client library, {@code @fanoutio/grip} (Node), works against Gripway unchanged: its
 * {@code validateSig} accepts the {@code Grip-Sig} Gripway sends to origins, and its {@code Publisher}, pointed at the
 * publish port, releases a long-poll and appends to and closes a stream. Needs {@code node} and {@code npm} (the
 * library is installed under {@code target/}); without them the class is skipped, or fails in CI (see
 * {@link Prerequisites}).
 */
class JsGripInteropIntegrationTests {

	static final String KEY = "changeme-but-long-enough-for-hs256";

	static final String LIBRARY = "@fanoutio/grip@4.3.0";

	static Path modules;

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() throws Exception {
		modules = installLibrary();
		origin = new TestOrigin();
		origin.route("/poll", (request, response) -> response.header("Grip-Hold", "response")
			.header("Grip-Channel", "js-poll")
			.sendString(Mono.just("timeout\n")));
		origin.route("/stream", (request, response) -> response.header("Grip-Hold", "stream")
			.header("Grip-Channel", "js-stream")
			.sendString(Mono.just("open\n")));
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(), "gripway.signing.key=" + KEY);
	}

	@AfterAll
	static void stop() {
		if (gripway != null) {
			gripway.close();
			origin.close();
		}
	}

	static Path installLibrary() throws IOException, InterruptedException {
		Path dir = Path.of("target", "js-grip").toAbsolutePath();
		Path installed = dir.resolve("node_modules/@fanoutio/grip/build/index.js");
		if (!Files.exists(installed)) {
			Files.createDirectories(dir);
			Process npm = run(dir, List.of("npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix",
					dir.toString(), LIBRARY));
			boolean done = npm.waitFor(180, TimeUnit.SECONDS);
			if (!done) {
				npm.destroyForcibly();
			}
			Prerequisites.require(done && npm.exitValue() == 0 && Files.exists(installed), "npm",
					"could not install " + LIBRARY + " with npm: " + output(npm));
		}
		return dir.resolve("node_modules");
	}

	static Process run(Path dir, List<String> command) throws IOException {
		try {
			return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
		}
		catch (IOException ex) {
			return Prerequisites.missing(command.get(0), "not installed (" + ex.getMessage() + ")");
		}
	}

	static String output(Process process) throws IOException {
		return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
	}

	@Test
	void officialClientLibraryValidatesGripSigAndPublishes() throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		CompletableFuture<HttpResponse<String>> poll = client.sendAsync(
				HttpRequest.newBuilder(URI.create(gripway.proxyUrl() + "/poll")).build(),
				HttpResponse.BodyHandlers.ofString());
		try (StreamClient stream = StreamClient.open(gripway.proxyUrl() + "/stream")) {
			stream.awaitReceived("open\n", Duration.ofSeconds(10));
			Await.until("both held", Duration.ofSeconds(10), () -> gripway.registry().subscriberCount("js-poll") == 1
					&& gripway.registry().subscriberCount("js-stream") == 1);
			String gripSig = origin.lastReceived().headers().get("Grip-Sig");
			File script = Path.of("src/test/resources/interop/js-grip-client.mjs").toFile();
			Process node = run(Path.of("."), List.of("node", script.getAbsolutePath(), modules.toString(),
					"http://127.0.0.1:" + gripway.publishPort(), gripSig, KEY, "js-poll", "js-stream"));
			assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
			String output = output(node);
			assertThat(node.exitValue()).as(output).isZero();
			assertThat(output).contains("sig-valid=true forged-valid=false").contains("published");

			HttpResponse<String> released = poll.get(10, TimeUnit.SECONDS);
			assertThat(released.statusCode()).isEqualTo(200);
			assertThat(released.body()).isEqualTo("from js-grip\n");
			stream.awaitEnd(Duration.ofSeconds(10));
			assertThat(stream.error()).isNull();
			assertThat(stream.received()).isEqualTo("open\nstreamed by js-grip\n");
		}
	}

	@Test
	void webSocketOriginWrittenWithTheOfficialLibraryWorksThroughGripway() throws Exception {
		File script = Path.of("src/test/resources/interop/js-grip-ws-origin.mjs").toFile();
		Process node = run(Path.of("."), List.of("node", script.getAbsolutePath(), modules.toString()));
		try {
			java.io.BufferedReader lines = new java.io.BufferedReader(
					new java.io.InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
			CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
				try {
					return lines.readLine();
				}
				catch (IOException ex) {
					throw new java.io.UncheckedIOException(ex);
				}
			});
			String listening = firstLine.get(30, TimeUnit.SECONDS);
			assertThat(listening).startsWith("listening ");
			String originUrl = "http://127.0.0.1:" + listening.substring("listening ".length()).trim();
			try (GripwayInstance proxy = GripwayInstance.start("gripway.origin=" + originUrl);
					WsClient client = WsClient.connect("ws://127.0.0.1:" + proxy.proxyPort() + "/chat")) {
				client.sendText("hello");
				WsClient.Frame echo = client.next(Duration.ofSeconds(10));
				assertThat(echo.text()).isEqualTo("echo: hello");
				Await.until("subscribed to js-ws", Duration.ofSeconds(10),
						() -> proxy.registry().subscriberCount("js-ws") == 1);
				proxy.publishOk("{\"items\":[{\"channel\":\"js-ws\",\"formats\":{\"ws-message\":{\"content\":\"news\"}}}]}");
				assertThat(client.next(Duration.ofSeconds(10)).text()).isEqualTo("news");
			}
		}
		finally {
			node.destroy();
			node.waitFor(10, TimeUnit.SECONDS);
		}
	}

}
