package io.gripway.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain TCP client for what {@code java.net.http} hides or normalises: the status line's reason phrase, chunk
 * framing, requests without a body length, a client that leaves mid-request. Reads byte by byte (ISO-8859-1, as HTTP/1.x
 * framing is), and every read is bounded by the socket timeout.
 */
public final class RawSocket implements AutoCloseable {

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

	private final Socket socket;

	private RawSocket(Socket socket) {
		this.socket = socket;
	}

	/** Connects to {@code port} on loopback. */
	public static RawSocket connect(int port) {
		try {
			Socket socket = new Socket("127.0.0.1", port);
			socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
			return new RawSocket(socket);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Sends {@code request} as it is (US-ASCII, so write the CRLFs). */
	public RawSocket send(String request) {
		try {
			this.socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
			this.socket.getOutputStream().flush();
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** What arrives up to and including {@code end}, or up to the end of the stream (at most 64 KiB). */
	public String readUntil(String end) {
		StringBuilder read = new StringBuilder();
		try {
			InputStream in = this.socket.getInputStream();
			while (read.length() < 64 * 1024 && !endsWith(read, end)) {
				int next = in.read();
				if (next < 0) {
					break;
				}
				read.append((char) next);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("read so far: " + read, ex);
		}
		return read.toString();
	}

	/** The next {@code count} bytes, each a char (ISO-8859-1); fewer if the stream ends first. */
	public String readBytes(int count) {
		try {
			return new String(this.socket.getInputStream().readNBytes(count), StandardCharsets.ISO_8859_1);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The data of the next chunk of a chunked body, without its framing. */
	public String readChunkedChunk() {
		String data = readBytes(chunkSize(readUntil("\r\n")));
		readBytes(2);
		return data;
	}

	/** A chunked body as it arrives, framing and all, up to its last chunk and the blank line after it. */
	public String readChunkedBody() {
		StringBuilder read = new StringBuilder();
		while (true) {
			String sizeLine = readUntil("\r\n");
			read.append(sizeLine);
			int size = chunkSize(sizeLine);
			if (size == 0) {
				// no trailers in these tests: the blank line ends the body
				return read.append(readUntil("\r\n")).toString();
			}
			read.append(readBytes(size + 2));
		}
	}

	private static int chunkSize(String sizeLine) {
		return Integer.parseInt(sizeLine.replaceAll("[;\r\n].*", "").trim(), 16);
	}

	/** The response's status line and headers, up to the blank line. */
	public String readHead() {
		return readUntil("\r\n\r\n");
	}

	/** Everything until the server closes the connection, as UTF-8 (bodies are, in these tests). */
	public String readToEnd() {
		try {
			return new String(this.socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Sets the receive buffer, for a client that reads slowly; call before anything arrives. */
	public RawSocket receiveBuffer(int bytes) {
		try {
			this.socket.setReceiveBufferSize(bytes);
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// closed either way
		}
	}

	private static boolean endsWith(StringBuilder read, String end) {
		int from = read.length() - end.length();
		return from >= 0 && read.indexOf(end, from) == from;
	}

}
