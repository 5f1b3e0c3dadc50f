package io.gripway.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;

/**
 * A real Redis Cluster of this test's own: three masters and three replicas, each a {@code redis-server} process on a
 * free port ({@link RedisServer#local}), joined with {@code redis-cli --cluster create}. The node timeout is short
 * ({@value #NODE_TIMEOUT_MILLIS} ms) so a killed master is replaced in a few seconds. Only these processes are ever
 * stopped or killed.
 *
 * <p>
 * {@link #admin(int)} gives a plain (non-cluster) connection to one node, for what must be asked of a node rather
 * than of the cluster ({@code PUBSUB SHARDCHANNELS}, {@code ROLE}).
 *
 * <h3>Lifecycle</h3> {@link #start()} returns once every node reports {@code cluster_state:ok} and knows all six
 * nodes; {@link #close()} stops every process and removes their directories.
 */
public final class RedisCluster implements AutoCloseable {

	public static final int NODE_TIMEOUT_MILLIS = 1000;

	private static final Duration WAIT = Duration.ofSeconds(60);

	private final List<RedisServer> nodes = new ArrayList<>();

	private final RedisClient admin = RedisClient.create();

	private final Map<Integer, StatefulRedisConnection<String, String>> admins = new ConcurrentHashMap<>();

	private RedisCluster() {
	}

	/** Starts six nodes and makes them a cluster of three shards. */
	public static RedisCluster start() {
		Path cli = RedisServer.requireBinary("redis-cli");
		RedisCluster cluster = new RedisCluster();
		try {
			for (int i = 0; i < 6; i++) {
				cluster.nodes.add(RedisServer.local(List.of("--cluster-enabled", "yes", "--cluster-config-file",
						"nodes.conf", "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MILLIS),
						// a replica whose link was down a while may still take over: tests kill masters at will
						"--cluster-replica-validity-factor", "0")).start());
			}
			List<String> command = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
			for (RedisServer node : cluster.nodes) {
				command.add("127.0.0.1:" + node.port());
			}
			command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
			run(command);
			Await.until(WAIT, cluster::healthy, () -> "a healthy cluster: " + cluster.describe());
			return cluster;
		}
		catch (RuntimeException | Error ex) {
			cluster.close();
			throw ex;
		}
	}

	/** Seed URLs of every node, comma-separated, as {@code gripway.bus.redis.url} takes them. */
	public String seeds() {
		return String.join(",", this.nodes.stream().map(RedisServer::url).toList());
	}

	public List<RedisServer> nodes() {
		return List.copyOf(this.nodes);
	}

	/** A plain connection to the node on {@code port}. */
	public RedisCommands<String, String> admin(int port) {
		return this.admins
			.computeIfAbsent(port, (p) -> this.admin.connect(RedisURI.create("redis://127.0.0.1:" + p + "?timeout=5s")))
			.sync();
	}

	/** The node that is master of {@code key}'s slot now, as the live nodes see it. */
	public RedisServer masterOf(String key) {
		int slot = SlotHash.getSlot(key);
		for (RedisServer node : this.nodes) {
			if (!node.ping()) {
				continue;
			}
			for (String line : admin(node.port()).clusterNodes().split("\n")) {
				String[] fields = line.split(" ");
				if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
					continue;
				}
				for (int i = 8; i < fields.length; i++) {
					String[] range = fields[i].split("-");
					if (range[0].startsWith("[")) {
						continue;
					}
					int from = Integer.parseInt(range[0]);
					int to = (range.length > 1) ? Integer.parseInt(range[1]) : from;
					if (slot >= from && slot <= to) {
						return byAddress(fields[1]);
					}
				}
			}
			break;
		}
		throw new IllegalStateException("no master for slot " + slot + ": " + describe());
	}

	/** The masters now, one per shard. */
	public List<RedisServer> masters() {
		return this.nodes.stream().filter(RedisServer::ping).filter((node) -> role(node).equals("master")).toList();
	}

	public String role(RedisServer node) {
		return String.valueOf(admin(node.port()).role().get(0));
	}

	/** Whether every live node sees all slots served and the same six nodes. */
	public boolean healthy() {
		for (RedisServer node : this.nodes) {
			if (!node.ping()) {
				continue;
			}
			RedisCommands<String, String> commands = admin(node.port());
			if (!commands.clusterInfo().contains("cluster_state:ok")
					|| commands.clusterNodes().lines().count() != this.nodes.size()) {
				return false;
			}
		}
		return true;
	}

	/** CLUSTER NODES as one node sees it, for failure messages. */
	public String describe() {
		for (RedisServer node : this.nodes) {
			if (node.ping()) {
				try {
					return admin(node.port()).clusterNodes();
				}
				catch (RuntimeException ex) {
					return ex.toString();
				}
			}
		}
		return "no node answers";
	}

	@Override
	public void close() {
		this.admins.values().forEach(StatefulRedisConnection::close);
		this.admin.shutdown(0, 2, TimeUnit.SECONDS);
		this.nodes.forEach(RedisServer::close);
	}

	private RedisServer byAddress(String address) {
		// 127.0.0.1:port@busport
		int port = Integer.parseInt(address.substring(address.indexOf(':') + 1, address.indexOf('@')));
		return this.nodes.stream()
			.filter((node) -> node.port() == port)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("unknown node " + address));
	}

	static void run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
