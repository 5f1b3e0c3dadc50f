package io.gripway.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An origin on a plain {@link ServerSocket}, for tests about what exactly goes over the wire: it records each
 * request line byte for byte (no HTTP library parses or normalises it) and answers with the raw response a test
 * gives it, then closes the connection ({@code Connection: close}).
 *
 * <h3>Thread safety</h3> One daemon thread accepts, one per connection reads and answers; requests are handed to the
 * test through a blocking queue.
 */
public final class RawOrigin implements AutoCloseable {

	/**
	 * A request as it arrived: its request line (ISO-8859-1, one char per byte), its headers (the first value of each
	 * name, by lower-case name), its header lines exactly as sent and in order, and its body.
	 */
	public record Request(String requestLine, Map<String, String> headers, List<String> headerLines, byte[] body) {

		/** The request target: the request line between method and version, exactly as sent. */
		public String target() {
			return this.requestLine.substring(this.requestLine.indexOf(' ') + 1, this.requestLine.lastIndexOf(' '));
		}

		public String method() {
			return this.requestLine.substring(0, this.requestLine.indexOf(' '));
		}

		/** A header's first value; names are matched ignoring case. */
		public String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

		public String bodyText() {
			return new String(this.body, StandardCharsets.ISO_8859_1);
		}

	}

	private final ServerSocket server;

	private final Function<Request, String> answer;

	private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();

	private final List<Socket> sockets = new ArrayList<>();

	private final AtomicInteger ended = new AtomicInteger();

	/**
	 * @param answer the raw response to a request (status line, headers, body; ISO-8859-1), without
	 * {@code Connection: close}, which is added
	 */
	public RawOrigin(Function<Request, String> answer) {
		try {
			this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		this.answer = answer;
		Thread acceptor = new Thread(this::accept, "raw-origin-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public String url() {
		return "http://127.0.0.1:" + this.server.getLocalPort();
	}

	/** The next request received, waiting at most {@code limit}; fails when none came. */
	public Request next(Duration limit) {
		try {
			Request request = this.requests.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
			if (request == null) {
				throw new AssertionError("no request at the origin within " + limit);
			}
			return request;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted");
		}
	}

	/** Forgets the requests received and not yet taken. */
	public void clear() {
		this.requests.clear();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				synchronized (this.sockets) {
					this.sockets.add(socket);
				}
				Thread connection = new Thread(() -> serve(socket), "raw-origin-connection");
				connection.setDaemon(true);
				connection.start();
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	private void serve(Socket socket) {
		try (socket) {
			socket.setSoTimeout(10_000);
			InputStream in = socket.getInputStream();
			String requestLine = readLine(in);
			Map<String, String> headers = new LinkedHashMap<>();
			List<String> headerLines = new ArrayList<>();
			for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
				headerLines.add(line);
				int colon = line.indexOf(':');
				headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
						line.substring(colon + 1).trim());
			}
			Request request = new Request(requestLine, headers, headerLines, readBody(in, headers));
			this.requests.add(request);
			String response = this.answer.apply(request);
			int endOfHeaders = response.indexOf("\r\n\r\n");
			response = response.substring(0, endOfHeaders) + "\r\nConnection: close" + response.substring(endOfHeaders);
			OutputStream out = socket.getOutputStream();
			out.write(response.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
		}
		catch (IOException ex) {
			// the peer went: nothing to record
		}
		finally {
			this.ended.incrementAndGet();
		}
	}

	/** How many connections have ended: answered, or closed by the peer before the answer was written. */
	public int endedConnections() {
		return this.ended.get();
	}

	private static byte[] readBody(InputStream in, Map<String, String> headers) throws IOException {
		String length = headers.get("content-length");
		if (length != null) {
			return in.readNBytes(Integer.parseInt(length));
		}
		if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
			return new byte[0];
		}
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16); size > 0; size = Integer
			.parseInt(readLine(in).split(";")[0].trim(), 16)) {
			body.writeBytes(in.readNBytes(size));
			readLine(in);
		}
		while (!readLine(in).isEmpty()) {
			// trailers
		}
		return body.toByteArray();
	}

	/** One line, without its CRLF, each byte a char. */
	public static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != '\n'; b = in.read()) {
			if (b < 0) {
				throw new IOException("connection ended in a line");
			}
			line.write(b);
		}
		String text = line.toString(StandardCharsets.ISO_8859_1);
		return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
	}

	@Override
	public void close() {
		try {
			this.server.close();
			synchronized (this.sockets) {
				for (Socket socket : this.sockets) {
					socket.close();
				}
			}
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

}
