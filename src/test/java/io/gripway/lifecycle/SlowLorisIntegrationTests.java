package io.gripway.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gripway.test.GripwayInstance;
import io.gripway.test.NettyLeakCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that dribbles its request headers (slow-loris) is cut off by {@code gripway.http.request-header-timeout}
 * on the proxy port and on the publish port, although every byte arrives well within any idle timeout; a client that
 * sends its headers in time, even in pieces, is served; headers over Pushpin's 10,000 bytes are refused with 431.
 * Loopback only, every loop bounded.
 */
@ExtendWith(NettyLeakCheck.class)
class SlowLorisIntegrationTests {

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		gripway = GripwayInstance.start("gripway.http.request-header-timeout=1s", "server.netty.idle-timeout=30s",
				"gripway.publish.idle-timeout=30s");
	}

	@AfterAll
	static void stop() {
		gripway.close();
	}

	@Test
	void proxyPortCutsOffDribbledHeaders() throws IOException {
		assertCutOff(gripway.proxyPort());
	}

	@Test
	void publishPortCutsOffDribbledHeaders() throws IOException {
		assertCutOff(gripway.publishPort());
	}

	@Test
	void headersSentInPiecesWithinTheDeadlineAreServed() throws IOException {
		try (Socket socket = new Socket("127.0.0.1", gripway.publishPort())) {
			socket.setSoTimeout(5_000);
			OutputStream out = socket.getOutputStream();
			for (String piece : new String[] { "GET / HT", "TP/1.1\r\nHost: x\r\n", "Connection: close\r\n\r\n" }) {
				out.write(piece.getBytes(StandardCharsets.US_ASCII));
				out.flush();
				sleep(100);
			}
			String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
			assertThat(response).startsWith("HTTP/1.1 200 ").endsWith("Gripway publish API\n");
		}
	}

	@Test
	void aKeepAliveConnectionBusyForLongerThanTheDeadlineIsStillCutOffWhenItDribbles() throws IOException {
		try (Socket socket = new Socket("127.0.0.1", gripway.publishPort())) {
			socket.setSoTimeout(5_000);
			// quick requests on one connection for 1.5 deadlines: each one starts and stops the deadline
			for (int i = 0; i < 6; i++) {
				socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				socket.getOutputStream().flush();
				assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200 ");
				sleep(250);
			}
			assertDribbleCutOff(socket);
		}
	}

	@Test
	void oversizedHeadersOnThePublishPortAreRefused() throws IOException {
		try (Socket socket = new Socket("127.0.0.1", gripway.publishPort())) {
			socket.setSoTimeout(5_000);
			String request = "POST /publish/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(12_000)
					+ "\r\nContent-Length: 0\r\n\r\n";
			socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			byte[] head = new byte[12];
			int read = socket.getInputStream().readNBytes(head, 0, head.length);
			assertThat(new String(head, 0, read, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 431");
		}
	}

	/** One header byte every 100 ms, for at most 10 s: the server must close the connection long before. */
	private static void assertCutOff(int port) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			assertDribbleCutOff(socket);
		}
	}

	private static void assertDribbleCutOff(Socket socket) throws IOException {
		socket.setSoTimeout(100);
		OutputStream out = socket.getOutputStream();
		InputStream in = socket.getInputStream();
		byte[] request = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
		long started = System.nanoTime();
		boolean closed = false;
		for (int i = 0; i < 100 && !closed; i++) {
			try {
				out.write(request[Math.min(i, request.length - 1)]);
				out.flush();
				closed = in.read() == -1;
			}
			catch (SocketTimeoutException ex) {
				// nothing from the server yet: keep dribbling
			}
			catch (IOException ex) {
				closed = true; // reset by the server
			}
		}
		assertThat(closed).as("connection closed by the server").isTrue();
		assertThat((System.nanoTime() - started) / 1_000_000_000.0).isLessThan(10.0);
	}

	/** One response with a {@code Content-Length} body, read to its end. */
	private static String readResponse(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b == -1) {
				throw new IOException("closed after " + head);
			}
			head.append((char) b);
		}
		Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
		int body = length.find() ? Integer.parseInt(length.group(1)) : 0;
		return head + new String(in.readNBytes(body), StandardCharsets.US_ASCII);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
