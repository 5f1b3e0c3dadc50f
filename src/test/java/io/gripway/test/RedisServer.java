package io.gripway.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real Redis for tests, found in this order (as DEVELOPERS.md describes): the {@code REDIS_URL} environment
 * variable; a {@code redis-server} binary on the {@code PATH}, started on a free port in a temporary directory without
 * persistence; a {@code redis:7-alpine} container when Docker is available. With none of them the test is stopped
 * through {@link Prerequisites#missing} (skipped on a developer's machine, failed in CI) with a message saying what to
 * install. A Redis already running on the default port 6379 is never used unless {@code REDIS_URL} names it.
 *
 * <p>
 * A test that disrupts its Redis ({@link #stop()}, {@code CLIENT KILL}, {@code CLIENT PAUSE},
 * {@code CONFIG RESETSTAT}) takes an {@link #owned()} server: one it started itself, whatever {@code REDIS_URL} says,
 * because that may name a server other people's tests share. Such a server can be {@link #stop() stopped} and
 * {@link #start() started} again on the same port.
 *
 * <p>
 * {@link #local} starts a {@code redis-server} process with extra arguments (a cluster node, a Sentinel) for
 * {@link RedisCluster} and {@link RedisSentinels}; such a server can also be {@link #kill() killed}. With
 * {@code CI=true} a missing binary fails the test instead of skipping it: CI must not pass by running nothing.
 *
 * <h3>Lifecycle</h3> {@link #create()} picks the backend and a port without starting; {@link #start()} returns once
 * the server answers {@code PING}; {@link #close()} stops it for good. A JVM shutdown hook stops a server a failed test
 * left running.
 */
public final class RedisServer implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

	private final Backend backend;

	private final int port;

	private RedisServer(Backend backend, int port) {
		this.backend = backend;
		this.port = port;
	}

	/** A Redis that is not running yet (except with {@code REDIS_URL}), on a port nothing else listens on. */
	public static RedisServer create() {
		String url = System.getenv("REDIS_URL");
		if (url != null && !url.isBlank()) {
			return new RedisServer(new External(url), URI.create(url).getPort());
		}
		return startable("No Redis for this test: set REDIS_URL, install redis-server on the PATH, "
				+ "or make Docker available for Testcontainers");
	}

	/**
	 * A Redis this test starts and may disrupt (not running yet): never {@code REDIS_URL}'s server, which other tests
	 * may share.
	 */
	public static RedisServer owned() {
		return startable("this test stops its Redis or kills, pauses or resets its clients, which it may only do to a "
				+ "server it started itself (never REDIS_URL's): install redis-server on the PATH or make Docker "
				+ "available for Testcontainers");
	}

	/** {@link #owned()} and {@link #start()}. */
	public static RedisServer ownedStarted() {
		return owned().start();
	}

	private static RedisServer startable(String missing) {
		int port = FreePorts.next();
		Optional<Path> binary = findOnPath("redis-server");
		if (binary.isPresent()) {
			return new RedisServer(new LocalProcess(binary.get(), port), port);
		}
		if (dockerAvailable()) {
			return new RedisServer(new Container(port), port);
		}
		return Prerequisites.missing("redis-server", missing);
	}

	/**
	 * A {@code redis-server} process of this test's own, not started yet, on a free port, in a temporary directory
	 * (its working directory: relative files such as {@code nodes.conf} go there).
	 * @param arguments put before the port and persistence options; a configuration file first if any, as
	 * {@code redis-server} wants it
	 * @see #requireBinary
	 */
	public static RedisServer local(List<String> arguments) {
		int port = FreePorts.next();
		return new RedisServer(new LocalProcess(requireBinary("redis-server"), port, arguments), port);
	}

	/**
	 * The binary {@code name} on the {@code PATH}; without it the test is skipped, or fails when {@code CI=true}.
	 */
	public static Path requireBinary(String name) {
		return findOnPath(name).orElseGet(() -> Prerequisites.missing(name, "This test needs " + name
				+ " on the PATH (apt-get install redis-server; Redis 7 or later for sharded pub/sub)"));
	}

	/** The temporary directory of a {@link #local} server (its configuration files and log). */
	public Path dir() {
		if (this.backend instanceof LocalProcess local) {
			return local.dir;
		}
		throw new IllegalStateException("not a local process: " + this.backend);
	}

	/** Kills the process at once (SIGKILL), as a crashed machine would go: no goodbye to replicas or clients. */
	public void kill() {
		if (!(this.backend instanceof LocalProcess local)) {
			throw new IllegalStateException("only a process this test started can be killed: " + this.backend);
		}
		local.kill();
	}

	/** {@link #create()} and {@link #start()}. */
	public static RedisServer started() {
		return create().start();
	}

	/** Starts the server (again, on the same port) and waits until it answers PING. */
	public RedisServer start() {
		this.backend.start();
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (!ping()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Redis on port " + this.port + " did not answer PING within "
						+ STARTUP_TIMEOUT + ": " + this.backend);
			}
			sleep(Duration.ofMillis(20));
		}
		return this;
	}

	/** Stops the server, closing every client connection; {@link #start()} brings it back on the same port. */
	public void stop() {
		this.backend.stop();
	}

	public String url() {
		return this.backend.url(this.port);
	}

	public int port() {
		return this.port;
	}

	/** Whether the server answers {@code PING} now. */
	public boolean ping() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host(), this.port), 200);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			byte[] reply = new byte[7];
			int read = socket.getInputStream().readNBytes(reply, 0, 7);
			return new String(reply, 0, read, StandardCharsets.US_ASCII).equals("+PONG\r\n");
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() {
		this.backend.close();
	}

	@Override
	public String toString() {
		return "RedisServer[" + url() + ", " + this.backend + "]";
	}

	private String host() {
		return URI.create(url()).getHost();
	}

	private static Optional<Path> findOnPath(String name) {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		return Arrays.stream(path.split(java.io.File.pathSeparator))
			.map((dir) -> Path.of(dir, name))
			.filter(Files::isExecutable)
			.findFirst();
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** One way of providing a Redis. */
	private interface Backend extends AutoCloseable {

		void start();

		void stop();

		String url(int port);

		@Override
		void close();

	}

	/** {@code REDIS_URL}: someone else's server; it cannot be stopped. */
	private record External(String url) implements Backend {

		@Override
		public void start() {
		}

		@Override
		public void stop() {
			// a test that stops its Redis asks for an owned() one; REDIS_URL's server is never stopped
			throw new IllegalStateException("REDIS_URL's Redis is shared and is never stopped: use RedisServer.owned()");
		}

		@Override
		public String url(int port) {
			return this.url;
		}

		@Override
		public void close() {
		}

	}

	/** {@code redis-server} as a child process, without persistence, in a temporary directory. */
	private static final class LocalProcess implements Backend {

		private final Path binary;

		private final int port;

		private final Path dir;

		private final List<String> arguments;

		private Process process;

		LocalProcess(Path binary, int port) {
			this(binary, port, List.of());
		}

		LocalProcess(Path binary, int port, List<String> arguments) {
			this.binary = binary;
			this.port = port;
			this.arguments = List.copyOf(arguments);
			try {
				this.dir = Files.createTempDirectory("gripway-redis-");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "redis-server-" + port + "-stopper"));
		}

		@Override
		public synchronized void start() {
			if (this.process != null && this.process.isAlive()) {
				return;
			}
			try {
				List<String> command = new ArrayList<>();
				command.add(this.binary.toString());
				command.addAll(this.arguments);
				command.addAll(List.of("--port", String.valueOf(this.port), "--save", "", "--appendonly", "no",
						"--bind", "127.0.0.1", "--dir", this.dir.toString()));
				this.process = new ProcessBuilder(command).directory(this.dir.toFile())
					.redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.appendTo(this.dir.resolve("redis.log").toFile()))
					.start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		synchronized void kill() {
			if (this.process != null) {
				this.process.destroyForcibly();
				try {
					this.process.waitFor(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				this.process = null;
			}
		}

		@Override
		public synchronized void stop() {
			if (this.process == null) {
				return;
			}
			this.process.destroy();
			try {
				if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}

		@Override
		public String url(int port) {
			return "redis://127.0.0.1:" + port;
		}

		@Override
		public void close() {
			stop();
			try (Stream<Path> files = Files.walk(this.dir)) {
				files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
			}
			catch (IOException ex) {
				// a leftover temp dir is harmless
			}
		}

		@Override
		public String toString() {
			Path log = this.dir.resolve("redis.log");
			try (InputStream in = Files.newInputStream(log)) {
				return this.binary + ", log: " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				return this.binary.toString();
			}
		}

	}

	/** A {@code redis:7-alpine} container whose host port is fixed, so a restart keeps the URL. */
	private static final class Container implements Backend {

		private final GenericContainer<?> container;

		private boolean created;

		Container(int port) {
			this.container = new GenericContainer<>(DockerImageName.parse("redis:7-alpine"))
				.withCommand("redis-server", "--save", "", "--appendonly", "no")
				.withExposedPorts(6379)
				.withCreateContainerCmdModifier((cmd) -> cmd.getHostConfig()
					.withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", port),
							ExposedPort.tcp(6379))));
		}

		@Override
		public synchronized void start() {
			if (!this.created) {
				this.container.start();
				this.created = true;
			}
			else {
				this.container.getDockerClient().startContainerCmd(this.container.getContainerId()).exec();
			}
		}

		@Override
		public synchronized void stop() {
			if (this.created) {
				this.container.getDockerClient().stopContainerCmd(this.container.getContainerId()).exec();
			}
		}

		@Override
		public String url(int port) {
			return "redis://127.0.0.1:" + port;
		}

		@Override
		public void close() {
			this.container.stop();
		}

		@Override
		public String toString() {
			return "container redis:7-alpine";
		}

	}

}
