package io.gripway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.gripway.app.ChannelNamespace;
import io.gripway.bus.MessageBus;
import io.gripway.hold.HoldRegistry;
import io.gripway.server.RequestHeaderTimeout;
import io.gripway.publish.endpoint.PublishApi;
import io.gripway.publish.endpoint.PublishHandler;
import io.gripway.publish.endpoint.PublishListener;
import io.gripway.publish.endpoint.PublishServer;
import io.gripway.publish.auth.ChannelScope;
import io.gripway.publish.auth.PublisherCredential;
import io.gripway.publish.auth.PublisherIdentity;
import io.gripway.publish.auth.PublisherKeys;
import io.gripway.publish.auth.PublisherRegistration;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the publish API: its server, its publishers, and the refusal to open it to the network without them. Also
 * gives the proxy port the same request-header deadline as the publish port.
 */
@Configuration(proxyBeanMethods = false)
class PublishConfiguration {

	@Bean
	PublishServer publishServer(MessageBus bus, HoldRegistry registry, GripwayProperties properties,
			ObjectProvider<PublishListener> listener) {
		GripwayProperties.Publish publish = properties.publish();
		List<PublisherRegistration> publishers = publishers(properties);
		refuseOpenDoor(publish, publishers);
		PublishHandler handler = new PublishHandler(bus, (int) publish.maxBodySize().toBytes(),
				listener.getIfAvailable(() -> PublishListener.NONE), bus::recover);
		return new PublishServer(publish.address(), publish.port(), PublishApi.httpHandler(handler, publishers),
				properties.http().requestHeaderTimeout(), publish.idleTimeout());
	}

	/** The proxy port's slow-loris defence; its idle timeout is Spring Boot's {@code server.netty.idle-timeout}. */
	@Bean
	NettyServerCustomizer requestHeaderTimeout(GripwayProperties properties) {
		return (server) -> RequestHeaderTimeout.install(server, properties.http().requestHeaderTimeout());
	}

	/**
	 * Fails start-up when the publish API would listen beyond loopback with nobody to authenticate: in a cluster that
	 * lets any workload push any content to every client.
	 */
	static void refuseOpenDoor(GripwayProperties.Publish publish, List<PublisherRegistration> publishers) {
		if (!publishers.isEmpty() || publish.allowAnonymous() || isLoopback(publish.address())) {
			return;
		}
		throw new IllegalStateException("The publish API would listen on " + publish.address() + ":" + publish.port()
				+ " without authentication: anyone who can reach it could publish to every client. Configure"
				+ " gripway.publish.auth.publishers (for example gripway.publish.auth.publishers[0].name=app,"
				+ " ...[0].iss=app and ...[0].key=<the key in your GRIP_URL>; see README 'Security'), or bind"
				+ " gripway.publish.address=127.0.0.1, or, if a network policy already restricts who can reach the"
				+ " port, set gripway.publish.allow-anonymous=true.");
	}

	private static boolean isLoopback(String address) {
		try {
			for (InetAddress resolved : InetAddress.getAllByName(address)) {
				if (!resolved.isLoopbackAddress()) {
					return false;
				}
			}
			return true;
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	/**
	 * Every publisher: {@code gripway.publish.auth.publishers}, which name channels as they are on the bus, then each
	 * application's, which name its channels without its prefix. Names are unique across all of them.
	 */
	static List<PublisherRegistration> publishers(GripwayProperties properties) {
		List<PublisherRegistration> registrations = new ArrayList<>();
		Set<String> names = new HashSet<>();
		publishers(properties.publish().auth().publishers(), "gripway.publish.auth.publishers",
				ChannelNamespace.NONE, names, registrations);
		for (int i = 0; i < properties.apps().size(); i++) {
			GripwayProperties.App app = properties.apps().get(i);
			publishers(app.publishers(), "gripway.apps[" + i + "].publishers", AppsConfiguration.namespace(app, i),
					names, registrations);
		}
		return registrations;
	}

	/**
	 * Checks the configuration contract (one credential per publisher) and reads the keys. Messages name the
	 * publisher and the property, never a secret.
	 */
	private static void publishers(List<GripwayProperties.Publisher> configured, String property,
			ChannelNamespace namespace, Set<String> names, List<PublisherRegistration> registrations) {
		for (int i = 0; i < configured.size(); i++) {
			GripwayProperties.Publisher publisher = configured.get(i);
			String where = property + "[" + i + "]";
			if (publisher.name().isBlank()) {
				throw new IllegalStateException(where + ".name is required");
			}
			if (!names.add(publisher.name())) {
				throw new IllegalStateException(where + ".name '" + publisher.name() + "' is used twice");
			}
			ChannelScope scope;
			try {
				scope = new ChannelScope(publisher.channels());
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalStateException(where + ".channels: " + ex.getMessage(), ex);
			}
			try {
				registrations.add(new PublisherRegistration(
						new PublisherIdentity(publisher.name(), scope, namespace), credential(publisher)));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalStateException(where + " ('" + publisher.name() + "'): " + ex.getMessage(), ex);
			}
		}
	}

	private static PublisherCredential credential(GripwayProperties.Publisher publisher) {
		int kinds = count(publisher.iss()) + count(publisher.token()) + count(publisher.username());
		if (kinds != 1) {
			throw new IllegalArgumentException(
					"needs exactly one of iss (with key or public-key), token, or username (with password)");
		}
		if (present(publisher.iss())) {
			if (count(publisher.key()) + count(publisher.publicKey()) != 1) {
				throw new IllegalArgumentException("iss needs exactly one of key or public-key");
			}
			return present(publisher.key())
					? new PublisherCredential.SharedKeyJwt(publisher.iss(), PublisherKeys.sharedKey(publisher.key()))
					: new PublisherCredential.PublicKeyJwt(publisher.iss(),
							PublisherKeys.publicKey(publisher.publicKey()));
		}
		if (present(publisher.key()) || present(publisher.publicKey())) {
			throw new IllegalArgumentException("key and public-key need iss (a key without iss is a token:"
					+ " set token instead)");
		}
		if (present(publisher.token())) {
			return new PublisherCredential.Token(publisher.token());
		}
		if (!present(publisher.password())) {
			throw new IllegalArgumentException("username needs password");
		}
		return new PublisherCredential.Basic(publisher.username(), publisher.password());
	}

	private static boolean present(@Nullable String value) {
		return value != null && !value.isEmpty();
	}

	private static int count(@Nullable String value) {
		return present(value) ? 1 : 0;
	}

}
