package io.gripway.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * A real Sentinel setup of this test's own: a master, a replica and three Sentinels (quorum 2), each a
 * {@code redis-server} process on a free port ({@link RedisServer#local}; Sentinels run as {@code redis-server
 * sentinel.conf --sentinel}). The master counts as down after {@value #DOWN_AFTER_MILLIS} ms, so a killed master is
 * replaced within a few seconds. Only these processes are ever stopped or killed.
 *
 * <h3>Lifecycle</h3> {@link #start()} returns once the replica is in sync and every Sentinel knows the replica and
 * the other Sentinels; {@link #close()} stops every process and removes their directories.
 */
public final class RedisSentinels implements AutoCloseable {

	public static final String MASTER_NAME = "gripway";

	public static final int DOWN_AFTER_MILLIS = 1000;

	private static final Duration WAIT = Duration.ofSeconds(60);

	private final List<RedisServer> data = new ArrayList<>();

	private final List<RedisServer> sentinels = new ArrayList<>();

	private final RedisClient admin = RedisClient.create();

	private RedisSentinels() {
	}

	public static RedisSentinels start() {
		RedisSentinels group = new RedisSentinels();
		try {
			RedisServer master = RedisServer.local(List.of()).start();
			group.data.add(master);
			group.data.add(RedisServer.local(List.of("--replicaof", "127.0.0.1", String.valueOf(master.port())))
				.start());
			Await.until(WAIT, () -> group.info(group.data.get(1), "replication").contains("master_link_status:up"),
					() -> "the replica in sync");
			for (int i = 0; i < 3; i++) {
				RedisServer sentinel = RedisServer.local(List.of("sentinel.conf", "--sentinel"));
				Path conf = sentinel.dir().resolve("sentinel.conf");
				Files.writeString(conf, String.join("\n", "sentinel monitor " + MASTER_NAME + " 127.0.0.1 "
						+ master.port() + " 2", "sentinel down-after-milliseconds " + MASTER_NAME + " "
								+ DOWN_AFTER_MILLIS,
						"sentinel failover-timeout " + MASTER_NAME + " 10000",
						"sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
				group.sentinels.add(sentinel.start());
			}
			Await.until(WAIT, group::ready, () -> "Sentinels that know the replica and each other");
			return group;
		}
		catch (IOException ex) {
			group.close();
			throw new UncheckedIOException(ex);
		}
		catch (RuntimeException | Error ex) {
			group.close();
			throw ex;
		}
	}

	/** {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3#gripway}, Lettuce's form. */
	public String url() {
		return "redis-sentinel://"
				+ String.join(",", this.sentinels.stream().map((s) -> "127.0.0.1:" + s.port()).toList()) + "#"
				+ MASTER_NAME;
	}

	/** The master and the replica, in start order (which is master now is {@link #master()}). */
	public List<RedisServer> dataNodes() {
		return List.copyOf(this.data);
	}

	/** The data node the Sentinels name as master now. */
	public RedisServer master() {
		for (RedisServer sentinel : this.sentinels) {
			if (!sentinel.ping()) {
				continue;
			}
			try (StatefulRedisConnection<String, String> connection = connect(sentinel)) {
				List<String> address = connection.sync()
					.dispatch(io.lettuce.core.protocol.CommandType.SENTINEL,
							new io.lettuce.core.output.StringListOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
							new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
								.add("get-master-addr-by-name")
								.add(MASTER_NAME));
				int port = Integer.parseInt(address.get(1));
				return this.data.stream().filter((node) -> node.port() == port).findFirst().orElseThrow();
			}
		}
		throw new IllegalStateException("no Sentinel answers");
	}

	/** INFO {@code section} of {@code node}. */
	public String info(RedisServer node, String section) {
		try (StatefulRedisConnection<String, String> connection = connect(node)) {
			return connection.sync().info(section);
		}
	}

	/** Subscribers of {@code channel} on {@code node} ({@code PUBSUB NUMSUB}). */
	public long subscribers(RedisServer node, String channel) {
		try (StatefulRedisConnection<String, String> connection = connect(node)) {
			return connection.sync().pubsubNumsub(channel).getOrDefault(channel, 0L);
		}
	}

	@Override
	public void close() {
		this.admin.shutdown(0, 2, TimeUnit.SECONDS);
		this.sentinels.forEach(RedisServer::close);
		this.data.forEach(RedisServer::close);
	}

	private boolean ready() {
		for (RedisServer sentinel : this.sentinels) {
			String info = info(sentinel, "sentinel");
			if (!info.contains("slaves=1") || !info.contains("sentinels=3")) {
				return false;
			}
		}
		return true;
	}

	private StatefulRedisConnection<String, String> connect(RedisServer node) {
		return this.admin.connect(RedisURI.create("redis://127.0.0.1:" + node.port() + "?timeout=5s"));
	}

}
