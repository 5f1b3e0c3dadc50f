package io.gripway.websocket;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.gripway.test.GripwayInstance;
import io.gripway.test.PublishJson;
import io.gripway.test.TestOrigin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebSocket client that stops reading while publishes keep coming is closed with 1008 ("client too slow") once its
 * queue ({@code gripway.websocket.queue-capacity}) is full, instead of Gripway buffering for it without limit. The
 * client is a plain socket with a small receive buffer that reads nothing until the publishes are done, so TCP
 * back-pressure reaches Gripway as it would from a stalled phone.
 */
class SlowWebSocketClientIntegrationTests {

	static final int QUEUE_CAPACITY = 8;

	static final int MESSAGE_SIZE = 32 * 1024;

	/** Far more than the socket buffers on both sides and the queue hold together (about 9 MiB). */
	static final int MESSAGES = 300;

	static TestOrigin origin;

	static GripwayInstance gripway;

	@BeforeAll
	static void start() {
		origin = new TestOrigin();
		// a WebSocket-over-HTTP origin that accepts the connection and subscribes it to ?ch=
		origin.route("/ws", (request, response) -> {
			String channel = request.uri().substring(request.uri().indexOf("ch=") + 3);
			String subscribe = "c:{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}";
			String events = "OPEN\r\nTEXT " + Integer.toHexString(subscribe.length()) + "\r\n" + subscribe + "\r\n";
			return response.header("Content-Type", "application/websocket-events")
				.header("Sec-WebSocket-Extensions", "grip")
				// the opening request's body is exactly "OPEN\r\n"
				.sendString(Mono.just("6".equals(request.requestHeaders().get("Content-Length")) ? events : ""));
		});
		gripway = GripwayInstance.start("gripway.origin=" + origin.url(),
				"gripway.websocket.queue-capacity=" + QUEUE_CAPACITY);
	}

	@AfterAll
	static void stop() {
		gripway.close();
		origin.close();
	}

	@Test
	void clientThatStopsReadingIsClosedWith1008AsTooSlow() throws Exception {
		try (Socket socket = new Socket()) {
			// set before connecting, so the window the client advertises stays small
			socket.setReceiveBufferSize(4096);
			socket.setSoTimeout(20_000);
			socket.connect(new InetSocketAddress("127.0.0.1", gripway.proxyPort()), 5000);
			OutputStream out = socket.getOutputStream();
			out.write(("GET /ws?ch=slow HTTP/1.1\r\nHost: gripway\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
			assertThat(readHead(in)).startsWith("HTTP/1.1 101");
			gripway.awaitSubscribers("slow", 1);

			String content = "x".repeat(MESSAGE_SIZE);
			for (int i = 0; i < MESSAGES; i++) {
				gripway.publishOk(PublishJson.wsText("slow", content));
			}

			// now read: what was already on its way, then the close frame
			int texts = 0;
			while (true) {
				Frame frame = Frame.read(in);
				if (frame.opcode() == 0x1) {
					assertThat(frame.payload()).hasSize(MESSAGE_SIZE);
					texts++;
				}
				else if (frame.opcode() == 0x8) {
					int code = ((frame.payload()[0] & 0xff) << 8) | (frame.payload()[1] & 0xff);
					String reason = new String(frame.payload(), 2, frame.payload().length - 2, StandardCharsets.UTF_8);
					assertThat(code).as("close code after " + texts + " messages").isEqualTo(1008);
					assertThat(reason).isEqualTo("client too slow");
					break;
				}
			}
			// cut off, not buffered for: most of what was published never reached it
			assertThat(texts).isLessThan(MESSAGES);
		}
		gripway.awaitSubscribers("slow", 0);
	}

	static String readHead(DataInputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			head.append((char) in.readUnsignedByte());
		}
		return head.toString();
	}

	/** One unmasked server frame (RFC 6455 §5.2); a fragmented message would show as its fragments. */
	record Frame(int opcode, byte[] payload) {

		static Frame read(DataInputStream in) throws IOException {
			int first = in.readUnsignedByte();
			int second = in.readUnsignedByte();
			long length = second & 0x7f;
			if (length == 126) {
				length = in.readUnsignedShort();
			}
			else if (length == 127) {
				length = in.readLong();
			}
			byte[] payload = new byte[(int) length];
			in.readFully(payload);
			return new Frame(first & 0x0f, payload);
		}

	}

}
