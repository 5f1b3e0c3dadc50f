package io.gripway.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One runtime configuration everywhere: the JVM options in {@code deploy/jvm.options} are what the image, the Helm
 * chart, the compose file, the README's run commands and the benchmark's default mode use, so the figures the
 * benchmark reports are the ones a user who deploys Gripway as documented gets. Any drift fails here.
 */
class JvmOptionsTests {

	static String shipped() {
		try {
			return Files.readString(Path.of("deploy/jvm.options")).strip();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void theOptionsAreTheMeasuredConfiguration() {
		// the choices bench/README.md explains; a change here is a change to what is measured and shipped
		assertThat(shipped().split("\\s+")).contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmn24m",
				"-Xss256k", "-XX:+ExitOnOutOfMemoryError")
			.anyMatch(option -> option.startsWith("-XX:MaxRAMPercentage="))
			.noneMatch(option -> option.startsWith("-Xmx"))
			// the archive belongs to the launch (the image's entrypoint, the benchmark's command), not to these
			// options: they are also the training run's, which writes the archive and must not read one
			.noneMatch(option -> option.startsWith("-XX:SharedArchiveFile"));
	}

	@Test
	void theImageStartsFromAClassDataSharingArchiveMadeByItsOwnJvmWithThem() throws IOException {
		String dockerfile = Files.readString(Path.of("Dockerfile"));
		String runtime = dockerfile.substring(dockerfile.indexOf(" AS runtime"));
		int options = runtime.indexOf("ENV JAVA_TOOL_OPTIONS=");
		int training = runtime.indexOf("RUN java -XX:ArchiveClassesAtExit=/app/gripway.jsa ");
		// made in the runtime stage (an archive fits only the JVM build that made it), after the options are set
		assertThat(options).as("JAVA_TOOL_OPTIONS in the runtime stage").isPositive();
		assertThat(training).as("the training run, after JAVA_TOOL_OPTIONS").isGreaterThan(options);
		String trainingRun = runtime.substring(training, runtime.indexOf("\n", runtime.indexOf("-jar ", training)));
		// ... for the class path the entrypoint runs (an archive fits only that class path)
		assertThat(trainingRun).contains("-Dspring.context.exit=onRefresh", "-jar /app/gripway.jar");
		assertThat(runtime).contains("exec java -XX:SharedArchiveFile=/app/gripway.jsa $JAVA_OPTS -jar /app/gripway.jar ");
	}

	@Test
	void theImageShipsThem() throws IOException {
		Matcher env = Pattern.compile("ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(Files.readString(Path.of("Dockerfile")));
		assertThat(env.find()).as("JAVA_TOOL_OPTIONS in the Dockerfile").isTrue();
		assertThat(env.group(1)).isEqualTo(shipped());
	}

	@Test
	void theHelmChartDefaultsToThem() throws IOException {
		try (Reader reader = Files.newBufferedReader(Path.of("helm/gripway/values.yaml"))) {
			Map<String, Object> values = new Yaml().load(reader);
			assertThat(values.get("javaOptions")).isEqualTo(shipped());
		}
	}

	@Test
	void theComposeReplicasRunWithThem() throws IOException {
		try (Reader reader = Files.newBufferedReader(Path.of("docker-compose.yml"))) {
			Map<String, Object> compose = new Yaml().load(reader);
			for (String replica : ComposeFileTests.REPLICAS) {
				assertThat(Yamls.at(compose, "services." + replica + ".environment.JAVA_TOOL_OPTIONS"))
					.as(replica)
					.isEqualTo(shipped());
			}
		}
	}

	@Test
	void theReadmeAndSpringBootRunUseTheFile() throws IOException {
		String readme = Files.readString(Path.of("README.md"));
		Matcher javaCommands = Pattern.compile("(?m)^java (\\S+) -jar").matcher(readme);
		int commands = 0;
		while (javaCommands.find()) {
			assertThat(javaCommands.group(1)).isEqualTo("@deploy/jvm.options");
			commands++;
		}
		assertThat(commands).isPositive();
		assertThat(Files.readString(Path.of("pom.xml")))
			.contains("<jvmArguments>@${project.basedir}/deploy/jvm.options</jvmArguments>");
	}

	@Test
	void theBenchmarkRunsGripwayAsThePodWould() throws IOException {
		String bench = Files.readString(Path.of("bench/run.sh"));
		assertThat(bench).contains("$(cat \"$REPO/deploy/jvm.options\") -XX:MaxRAM=$POD_MEMORY")
			.contains("POD_MEMORY=\"${POD_MEMORY:-768m}\"")
			// launched as the image does: the extracted jar, with an archive its training run made with these options
			.contains("if [ \"${CDS:-1}\" = \"1\" ]")
			.contains("java $GRIPWAY_JAVA_OPTS -XX:ArchiveClassesAtExit=\"$CDS_DIR/gripway.jsa\"")
			.contains("GRIPWAY_LAUNCH=\"-XX:SharedArchiveFile=$CDS_DIR/gripway.jsa -jar $CDS_DIR/gripway.jar\"")
			.contains("echo \"java $GRIPWAY_JAVA_OPTS $GRIPWAY_LAUNCH ");
		try (Reader reader = Files.newBufferedReader(Path.of("helm/gripway/values.yaml"))) {
			Map<String, Object> values = new Yaml().load(reader);
			assertThat(Yamls.at(values, "resources.limits.memory")).isEqualTo("768Mi");
		}
	}

}
