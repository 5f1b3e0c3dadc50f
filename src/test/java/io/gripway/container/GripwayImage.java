package io.gripway.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Gripway's image, built by the container tests from the repository's {@code Dockerfile}, once per test JVM and
 * removed when it exits.
 * <p>
 * <b>What is built.</b> The Dockerfile's {@code runtime} stage, as written, on the locally made
 * {@linkplain BaseImage base} ({@code --build-arg JRE_IMAGE=...}), from the application jar of this build. The
 * Maven stage is not run: inside a container it would download every dependency again (minutes on CI's two cores,
 * through registries whose certificate authority the container does not trust) only to produce the jar this build
 * has already made. So the test makes the jar ({@code ./mvnw jar:jar spring-boot:repackage}: in
 * {@code ./mvnw verify} the tests run before the {@code package} phase), extracts its layers with the same command
 * as the build stage ({@code java -Djarmode=tools -jar app.jar extract --layers --application-filename gripway.jar}),
 * and builds the runtime stage with its {@code COPY --from=build /src/extracted/...} lines reading those layers from
 * the build context instead. Nothing else of the stage is changed (its CDS training run included);
 * {@link #runtimeStage} fails if it finds anything else to change.
 */
final class GripwayImage {

	static final Path DOCKERFILE = Path.of("Dockerfile");

	private static String image;

	private GripwayImage() {
	}

	/** The image's reference ({@code localhost/gripway-test:<pid>}), built on first use. */
	static synchronized String ensure() {
		if (image == null) {
			String reference = "localhost/gripway-test:" + ProcessHandle.current().pid();
			build(BaseImage.ensure(), reference);
			Runtime.getRuntime()
				.addShutdownHook(new Thread(() -> Podman.run(Duration.ofMinutes(1), List.of("rmi", "--force", reference)),
						"remove " + reference));
			image = reference;
		}
		return image;
	}

	private static void build(String base, String reference) {
		try {
			long started = System.nanoTime();
			Path jar = packageJar();
			Path context = Podman.WORK.resolve("image-context");
			BaseImage.delete(context);
			Files.createDirectories(context);
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			Podman.exec(Duration.ofMinutes(2), List.of(java, "-Djarmode=tools", "-jar", jar.toString(), "extract",
					"--layers", "--application-filename", "gripway.jar", "--destination",
					context.resolve("extracted").toString()))
				.orFail();
			Files.writeString(context.resolve("Containerfile"), runtimeStage(Files.readString(DOCKERFILE)));
			Podman.ok(Duration.ofMinutes(5), "build", "--quiet", "--build-arg", "JRE_IMAGE=" + base, "--tag",
					reference, "--file", context.resolve("Containerfile").toString(), context.toString());
			System.out.printf("built %s from %s on %s in %d s%n", reference, jar.getFileName(), base,
					Duration.ofNanos(System.nanoTime() - started).toSeconds());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The Dockerfile's global {@code ARG}s and its {@code runtime} stage, with the build stage's layers read from the
	 * build context ({@code extracted/...}) instead of {@code --from=build}.
	 */
	static String runtimeStage(String dockerfile) {
		List<String> lines = dockerfile.lines().toList();
		StringBuilder stage = new StringBuilder("# the runtime stage of the repository's Dockerfile; see GripwayImage\n");
		boolean beforeFirstFrom = true;
		boolean inRuntime = false;
		int copies = 0;
		for (String line : lines) {
			if (line.startsWith("FROM ")) {
				beforeFirstFrom = false;
				inRuntime = line.matches("FROM \\S+ AS runtime");
			}
			if (beforeFirstFrom && line.startsWith("ARG ")) {
				stage.append(line).append('\n');
			}
			else if (inRuntime) {
				if (line.contains("--from=")) {
					if (!line.startsWith("COPY --from=build /src/extracted/")) {
						throw new AssertionError("the runtime stage copies from elsewhere than the build stage's "
								+ "extracted layers; GripwayImage cannot build it from the jar: " + line);
					}
					line = line.replace("COPY --from=build /src/extracted/", "COPY extracted/");
					copies++;
				}
				stage.append(line).append('\n');
			}
		}
		if (copies == 0) {
			throw new AssertionError("no 'FROM ... AS runtime' stage copying the build stage's layers in " + DOCKERFILE);
		}
		return stage.toString();
	}

	/** The repackaged application jar of this build (made now: the tests run before Maven's package phase). */
	private static Path packageJar() throws IOException {
		Path base = Path.of("").toAbsolutePath();
		Podman.exec(Duration.ofMinutes(10), List.of(base.resolve("mvnw").toString(), "-B", "-q", "-ntp",
				"-DskipTests", "jar:jar", "spring-boot:repackage"), base).orFail();
		List<Path> jars = new ArrayList<>();
		try (Stream<Path> files = Files.list(base.resolve("target"))) {
			files.filter(file -> file.getFileName().toString().matches("gripway-.*\\.jar")).forEach(jars::add);
		}
		if (jars.size() != 1) {
			throw new AssertionError("expected one application jar in target/, found " + jars);
		}
		return jars.get(0);
	}

}
