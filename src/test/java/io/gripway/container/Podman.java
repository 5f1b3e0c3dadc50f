package io.gripway.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.gripway.test.Prerequisites;

/**
 * The podman command line, as the container tests drive it: every call gets the same {@code containers.conf}
 * (through {@code CONTAINERS_CONF}), so {@code podman run}, {@code podman build} and {@code podman import} behave
 * alike.
 * <p>
 * That file picks the {@code runc} runtime when it is installed (podman's default, {@code crun}, fails on the cgroup
 * layout of the CI machines' kernel) and sets the containers' file and process limits explicitly (inheriting the
 * host's, which runc cannot always raise to, fails the same way). Everything else is podman's default; the
 * containers the tests start use {@code --network host} and talk to 127.0.0.1 only.
 */
final class Podman {

	/** Where the tests keep their containers.conf, extracted layers and build contexts. */
	static final Path WORK = Path.of("target", "containers").toAbsolutePath();

	/** A label on every container the tests start, so a leftover can be found: {@code podman ps -a -f label=...}. */
	static final String LABEL = "io.gripway.test=containers";

	private static final Path CONF = WORK.resolve("containers.conf");

	private Podman() {
	}

	/** Fails (CI) or aborts (elsewhere) the calling test unless podman is installed. */
	static void require() {
		Prerequisites.require(onPath("podman"), "podman",
				"the container tests build and run Gripway's image (apt-get install podman runc debootstrap)");
	}

	static boolean onPath(String command) {
		String path = System.getenv("PATH");
		if (path == null) {
			return false;
		}
		for (String directory : path.split(":")) {
			if (Files.isExecutable(Path.of(directory, command))) {
				return true;
			}
		}
		return false;
	}

	/** The outcome of one command: its exit code and its standard output and error, interleaved. */
	record Result(List<String> command, int exitCode, String output) {

		Result orFail() {
			if (this.exitCode != 0) {
				throw new AssertionError(String.join(" ", this.command) + " exited with " + this.exitCode + ":\n"
						+ tail(this.output, 4000));
			}
			return this;
		}

		String trimmed() {
			return this.output.trim();
		}

	}

	/** Runs {@code podman args...}, waiting at most {@code limit}, and fails unless it exits with 0. */
	static String ok(Duration limit, String... args) {
		return run(limit, List.of(args)).orFail().trimmed();
	}

	static String ok(Duration limit, List<String> args) {
		return run(limit, args).orFail().trimmed();
	}

	/** Runs {@code podman args...}, waiting at most {@code limit} (then it is killed and the test fails). */
	static Result run(Duration limit, List<String> args) {
		List<String> command = new ArrayList<>();
		command.add("podman");
		command.addAll(args);
		return exec(limit, command);
	}

	/** Runs any command with podman's environment (used for debootstrap, tar and Maven too). */
	static Result exec(Duration limit, List<String> command) {
		return exec(limit, command, null);
	}

	static Result exec(Duration limit, List<String> command, Path directory) {
		try {
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
			if (directory != null) {
				builder.directory(directory.toFile());
			}
			builder.environment().put("CONTAINERS_CONF", conf().toString());
			Path output = Files.createTempFile(Files.createDirectories(WORK), "command-", ".log");
			try {
				Process process = builder.redirectOutput(output.toFile()).start();
				if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
					throw new AssertionError(String.join(" ", command) + " still running after " + limit + ":\n"
							+ tail(Files.readString(output, StandardCharsets.UTF_8), 4000));
				}
				return new Result(command, process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
			}
			finally {
				Files.deleteIfExists(output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted running " + command, ex);
		}
	}

	/** Removes containers (running or not) by name; names that do not exist are ignored. */
	static void removeContainers(List<String> names) {
		if (!names.isEmpty()) {
			List<String> args = new ArrayList<>(List.of("rm", "--force", "--ignore", "--time", "2"));
			args.addAll(names);
			run(Duration.ofMinutes(1), args);
		}
	}

	static synchronized Path conf() throws IOException {
		if (!Files.exists(CONF)) {
			StringBuilder text = new StringBuilder();
			text.append("# written by the container tests (io.gripway.container.Podman)\n");
			text.append("[containers]\n");
			text.append("default_ulimits = [\"nofile=4096:4096\", \"nproc=4096:4096\"]\n");
			if (onPath("runc")) {
				text.append("[engine]\n");
				text.append("runtime = \"runc\"\n");
			}
			Files.createDirectories(WORK);
			Path temporary = Files.createTempFile(WORK, "containers", ".conf");
			Files.writeString(temporary, text);
			Files.move(temporary, CONF, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
					java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		}
		return CONF;
	}

	static String tail(String text, int characters) {
		return text.length() <= characters ? text : "..." + text.substring(text.length() - characters);
	}

}
