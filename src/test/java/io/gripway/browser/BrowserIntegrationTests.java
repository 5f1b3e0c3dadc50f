package io.gripway.browser;

import java.nio.file.Path;
import java.time.Duration;

import io.gripway.test.Await;
import io.gripway.test.Browser;
import io.gripway.test.FreePorts;
import io.gripway.test.GripwayInstance;
import io.gripway.test.PublishJson;
import io.gripway.test.TestOrigin;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Browsers as Gripway's clients really are, in headless Chromium: the demo page (demo profile) with its long-poll,
 * EventSource and WebSocket; an EventSource from a page of another origin through auto cross-origin (and refused
 * without it); an EventSource resuming with {@code Last-Event-ID} after Gripway closed its stream; a WebSocket echo.
 */
class BrowserIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(15);

	/** Records what a test page's EventSource sees, in {@code window.seen}. */
	static final String OPEN_EVENT_SOURCE = """
			window.seen = window.seen || [];
			const events = new EventSource(arguments[0]);
			events.onopen = () => window.seen.push("open");
			events.onmessage = event => window.seen.push(event.data);
			events.onerror = () => window.seen.push("error:" + events.readyState);
			""";

	static Browser browser;

	static GripwayInstance demo;

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		browser = Browser.start();
		demo = GripwayInstance.start("spring.profiles.active=demo", "gripway.demo.port=" + FreePorts.next());
		origin = new TestOrigin();
		origin.route("/page", (request, response) -> response.header("Content-Type", "text/html")
			.sendString(Mono.just("<!DOCTYPE html><title>app</title><p>an application page</p>")));
		// an SSE origin that resumes from Last-Event-ID, as django-eventstream does
		origin.route("/events", (request, response) -> {
			String channel = new QueryStringDecoder(request.uri()).parameters().get("ch").get(0);
			String last = request.requestHeaders().get("Last-Event-ID");
			return response.header("Grip-Hold", "stream")
				.header("Grip-Channel", channel)
				.header("Content-Type", "text/event-stream")
				.sendString(Mono.just("retry: 200\n\n" + ((last != null) ? "data: resumed after " + last + "\n\n" : "")));
		});
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(),
				"spring.cloud.gateway.server.webflux.routes[0].id=aco",
				"spring.cloud.gateway.server.webflux.routes[0].uri=" + origin.url(),
				"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/aco/**",
				"spring.cloud.gateway.server.webflux.routes[0].filters[0]=StripPrefix=1",
				"spring.cloud.gateway.server.webflux.routes[0].metadata.gripway-auto-cross-origin=true");
	}

	@AfterAll
	static void stop() {
		if (browser != null) {
			browser.close();
		}
		if (gripway != null) {
			gripway.close();
		}
		if (origin != null) {
			origin.close();
		}
		if (demo != null) {
			demo.close();
		}
	}

	@Test
	void demoPageClientsAllReceiveAPublishAndTheWebSocketEchoes() throws Exception {
		browser.open(demo.proxyUrl() + "/?channel=browser");
		Await.until(WAIT, () -> browser.textOf("#sse-state").equals("open") && browser.textOf("#ws-state").equals("open"),
				() -> "SSE and WebSocket open; states: " + browser.textOf("#sse-state") + ", " + browser.textOf("#ws-state"));
		// long-poll, stream and WebSocket all held on the channel
		demo.awaitSubscribers("browser", 3);

		browser.find("#message").sendKeys("hello from Chromium");
		browser.find("#publish").click();
		Await.until(WAIT, () -> browser.textOf("#poll-log").contains("hello from Chromium")
				&& browser.textOf("#sse-log").contains("hello from Chromium")
				&& browser.textOf("#ws-log").contains("hello from Chromium"),
				() -> "the publish in all three logs (publish: '" + browser.textOf("#publish-status") + "'); long-poll: '" + browser.textOf("#poll-log") + "', SSE: '"
						+ browser.textOf("#sse-log") + "', WebSocket: '" + browser.textOf("#ws-log") + "'");
		assertThat(browser.textOf("#publish-status")).isEqualTo("published");
		assertThat(browser.textOf("#sse-log")).contains("(id ");
		// the long-poll polls again and gets the next one too
		demo.awaitSubscribers("browser", 3);
		browser.find("#message").sendKeys("second message");
		browser.find("#publish").click();
		Await.until(WAIT, () -> browser.textOf("#poll-log").contains("second message"),
				() -> "the second publish in the long-poll log: " + browser.textOf("#poll-log"));

		// WebSocket-over-HTTP: the text goes to the origin as a POST, its answer comes back on the socket
		browser.find("#ws-message").sendKeys("echo me");
		browser.find("#ws-send").click();
		Await.until(WAIT, () -> browser.textOf("#ws-log").contains("echo: echo me"),
				() -> "the echo in the WebSocket log: " + browser.textOf("#ws-log"));

		Path screenshot = browser.screenshot(Path.of("target", "demo-page.png"));
		assertThat(screenshot).isNotEmptyFile();
	}

	@Test
	void eventSourceFromAnotherOriginWorksThroughAutoCrossOrigin() {
		// the page comes from the origin itself (localhost:port); Gripway is another origin (127.0.0.1:port)
		browser.open("http://localhost:" + origin.port() + "/page");
		browser.script(OPEN_EVENT_SOURCE, gripway.proxyUrl() + "/aco/events?ch=cross");
		browser.script(OPEN_EVENT_SOURCE, gripway.proxyUrl() + "/events?ch=cross-refused");
		gripway.awaitSubscribers("cross", 1);
		gripway.publishOk(PublishJson.stream("cross", "data: across origins\\n\\n"));
		Await.until(WAIT, () -> seen().contains("across origins"), () -> "the event across origins: " + seen());
		// without auto cross-origin the browser refuses the stream, and an EventSource so refused does not retry
		Await.until(WAIT, () -> seen().contains("error:2"), () -> "the route without auto cross-origin refused: " + seen());
		assertThat(seen()).containsOnlyOnce("open");
	}

	@Test
	void eventSourceResumesWithLastEventIdAfterGripwayClosesTheStream() {
		browser.open(gripway.proxyUrl() + "/page");
		browser.script(OPEN_EVENT_SOURCE, "/events?ch=resume");
		gripway.awaitSubscribers("resume", 1);
		gripway.publishOk(PublishJson.stream("resume", "id: 7\\ndata: seven\\n\\n"));
		Await.until(WAIT, () -> seen().contains("seven"), () -> "event 7: " + seen());
		gripway.publishOk(PublishJson.streamClose("resume"));
		Await.until(WAIT, () -> seen().contains("resumed after 7"), () -> "the stream resumed after 7: " + seen());
		assertThat(origin.received()).anyMatch(request -> request.uri().startsWith("/events?ch=resume")
				&& "7".equals(request.headers().get("Last-Event-ID")));
		gripway.awaitSubscribers("resume", 1);
	}

	static String seen() {
		return browser.text("return (window.seen || []).join(' | ');");
	}

}
