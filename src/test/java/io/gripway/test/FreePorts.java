package io.gripway.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Loopback ports nothing listens on, for a server a test starts itself or for an address that must refuse
 * connections. Never 6379: a developer's own Redis may come and go there.
 */
public final class FreePorts {

	private FreePorts() {
	}

	/** A port that was free a moment ago; another process may take it before the caller binds it. */
	public static int next() {
		for (int attempt = 0; attempt < 10; attempt++) {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				if (socket.getLocalPort() != 6379) {
					return socket.getLocalPort();
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		throw new IllegalStateException("no free port");
	}

}
