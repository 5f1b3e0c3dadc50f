package io.gripway.publish;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;

import io.gripway.test.GripwayInstance;
import io.gripway.test.Prerequisites;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publish API has no authentication (as in Pushpin), so by default it listens on loopback only: from this host's
 * own non-loopback address it cannot be reached, while the proxy port (all interfaces) can, and so can the publish
 * port once {@code gripway.publish.address} opens it.
 */
class PublishAddressIntegrationTests {

	@Test
	void publishPortIsBoundToLoopbackByDefault() {
		InetAddress external = nonLoopbackAddress();
		try (GripwayInstance gripway = GripwayInstance.start()) {
			assertThat(reachable(InetAddress.getLoopbackAddress(), gripway.publishPort())).isTrue();
			// the address is reachable, only the publish API is not on it
			assertThat(reachable(external, gripway.proxyPort())).as("proxy port on " + external).isTrue();
			assertThat(reachable(external, gripway.publishPort())).as("publish port on " + external).isFalse();
		}
	}

	@Test
	void publishPortListensOnTheConfiguredAddress() {
		InetAddress external = nonLoopbackAddress();
		try (GripwayInstance gripway = GripwayInstance.start("gripway.publish.address=0.0.0.0",
				"gripway.publish.allow-anonymous=true")) {
			assertThat(reachable(external, gripway.publishPort())).as("publish port on " + external).isTrue();
		}
	}

	static boolean reachable(InetAddress address, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(address, port), 2000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** An IPv4 address of this host that is not loopback (any machine on a network has one). */
	static InetAddress nonLoopbackAddress() {
		Optional<InetAddress> found;
		try {
			found = Collections.list(NetworkInterface.getNetworkInterfaces())
				.stream()
				.filter(PublishAddressIntegrationTests::up)
				.flatMap(network -> Collections.list(network.getInetAddresses()).stream())
				.filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress()
						&& !address.isLinkLocalAddress())
				.findFirst();
		}
		catch (SocketException ex) {
			found = Optional.empty();
		}
		if (found.isEmpty()) {
			return Prerequisites.missing("a non-loopback network interface",
					"the test connects to this host's own non-loopback address to show the publish port is not on it");
		}
		return found.get();
	}

	static boolean up(NetworkInterface network) {
		try {
			return network.isUp() && !network.isLoopback();
		}
		catch (SocketException ex) {
			return false;
		}
	}

}
