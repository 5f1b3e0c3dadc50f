package io.gripway.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.gripway.test.Prerequisites;

/**
 * The base image the container tests run on, made on this machine: no image registry is reachable from CI, so
 * {@code eclipse-temurin:17-jre} and {@code redis:7-alpine} cannot be pulled. A Debian {@code minbase} root made by
 * {@code debootstrap} from the Debian mirror apt already uses (read from apt's sources at run time), with a JRE 17
 * and Redis, imported into podman as {@code localhost/gripway-test-base:<key>}. One image serves as the Dockerfile's
 * {@code JRE_IMAGE} and as the compose file's Redis.
 * <p>
 * <b>Cache.</b> The key is a digest of the suite, the architecture, this recipe and the version of each package the
 * mirror's suite offers (as {@code apt-cache madison} reports them from apt's lists): while those stay the same the
 * image is reused and a run costs nothing here; when one changes, the image is made again and older ones are removed.
 * The first build takes about a minute (download and unpack ~100 MB of packages).
 */
final class BaseImage {

	static final String REPOSITORY = "localhost/gripway-test-base";

	/** What the image holds beyond minbase; changing this list (or the recipe) changes the key. */
	static final List<String> PACKAGES = List.of("ca-certificates", "openjdk-17-jre-headless", "redis-server");

	/** Bump when the recipe below changes in a way the package versions do not show. */
	private static final String RECIPE = "minbase+trim/1";

	private static String image;

	private BaseImage() {
	}

	/** The image's reference, made first if no image with the current key exists. */
	static synchronized String ensure() {
		if (image == null) {
			image = make();
		}
		return image;
	}

	private static String make() {
		AptSource source = AptSource.read();
		String arch = Podman.exec(Duration.ofSeconds(30), List.of("dpkg", "--print-architecture")).orFail().trimmed();
		Map<String, String> versions = new LinkedHashMap<>();
		for (String name : PACKAGES) {
			versions.put(name, suiteVersion(name, source.suite(), arch));
		}
		String key = digest(source.suite() + "\n" + arch + "\n" + RECIPE + "\n" + versions).substring(0, 16);
		String reference = REPOSITORY + ":" + key;
		if (Podman.run(Duration.ofSeconds(30), List.of("image", "exists", reference)).exitCode() == 0) {
			return reference;
		}
		Prerequisites.require(Podman.onPath("debootstrap"), "debootstrap",
				"the container tests make their base image from Debian packages (apt-get install debootstrap)");
		Prerequisites.require("root".equals(System.getProperty("user.name")), "root",
				"debootstrap makes the base image " + reference + " as root (run the tests as root once to make it)");
		Path root = Podman.WORK.resolve("base-root");
		try {
			delete(root);
			long started = System.nanoTime();
			// minbase: dpkg, apt and the essential packages; --include resolves the packages' dependencies and
			// configures them with /proc mounted (the JRE's post-install step needs it)
			Podman.exec(Duration.ofMinutes(15), List.of("debootstrap", "--variant=minbase",
					"--include=" + String.join(",", PACKAGES), source.suite(), root.toString(), source.uri()))
				.orFail();
			// no package downloads, lists or docs in the image: ~180 MB less to import
			for (String path : List.of("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc",
					"usr/share/man", "usr/share/locale", "usr/share/info")) {
				delete(root.resolve(path));
				Files.createDirectories(root.resolve(path));
			}
			List<String> query = new ArrayList<>(
					List.of("chroot", root.toString(), "dpkg-query", "-W", "-f=${Package}=${Version} "));
			query.addAll(PACKAGES);
			String installed = Podman.exec(Duration.ofSeconds(30), query).orFail().trimmed();
			importRoot(root, reference, installed);
			System.out.printf("made %s (%s) in %d s%n", reference, installed,
					Duration.ofNanos(System.nanoTime() - started).toSeconds());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			try {
				delete(root);
			}
			catch (IOException ex) {
				// left for the next run's delete, which fails loudly if it still cannot
			}
		}
		removeOlder(reference);
		return reference;
	}

	/** tar | podman import, so the root never needs to exist twice on disk. */
	private static void importRoot(Path root, String reference, String installed) throws IOException {
		Path tarLog = Podman.WORK.resolve("base-tar.log");
		ProcessBuilder tarBuilder = new ProcessBuilder("tar", "--numeric-owner", "-C", root.toString(), "-c", ".")
			.redirectError(tarLog.toFile());
		ProcessBuilder importBuilder = new ProcessBuilder("podman", "import", "--change", "CMD [\"/bin/bash\"]",
				"--change", "LABEL io.gripway.test.packages=\"" + installed + "\"", "-", reference)
			.redirectErrorStream(true);
		importBuilder.environment().put("CONTAINERS_CONF", Podman.conf().toString());
		List<Process> pipeline = ProcessBuilder.startPipeline(List.of(tarBuilder, importBuilder));
		try {
			Process podman = pipeline.get(1);
			String output = new String(podman.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			int tar = pipeline.get(0).waitFor();
			int imported = podman.waitFor();
			if (tar != 0 || imported != 0) {
				throw new AssertionError("importing " + reference + " failed (tar " + tar + ", podman import "
						+ imported + "):\n" + Files.readString(tarLog) + output);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted importing " + reference, ex);
		}
	}

	private static void removeOlder(String current) {
		String listed = Podman.run(Duration.ofSeconds(30),
				List.of("images", "--format", "{{.Repository}}:{{.Tag}}", REPOSITORY)).output();
		for (String line : listed.split("\n")) {
			String other = line.trim();
			if (other.startsWith(REPOSITORY + ":") && !other.equals(current)) {
				// fails harmlessly while a container of another run still uses it
				Podman.run(Duration.ofSeconds(60), List.of("rmi", other));
			}
		}
	}

	/**
	 * The version of {@code name} in {@code suite} itself (what debootstrap installs; its -updates and -security
	 * suites are not used), or "unknown" when apt's lists do not say (then the key cannot follow new versions).
	 */
	static String suiteVersion(String name, String suite, String arch) {
		String madison = Podman.exec(Duration.ofSeconds(30), List.of("apt-cache", "madison", name)).output();
		for (String line : madison.split("\n")) {
			String[] columns = line.split("\\|");
			if (columns.length == 3 && columns[0].trim().equals(name)
					&& columns[2].trim().endsWith(" " + suite + "/main " + arch + " Packages")) {
				return columns[1].trim();
			}
		}
		return "unknown";
	}

	private static String digest(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static void delete(Path path) throws IOException {
		if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		// rm, not Files.walk: the root holds device nodes and symbolic links into itself
		Podman.exec(Duration.ofMinutes(2), List.of("rm", "-rf", "--one-file-system", path.toString())).orFail();
	}

	/**
	 * The Debian mirror and suite apt uses on this machine, from {@code /etc/apt/sources.list.d/*.sources} (deb822)
	 * or {@code /etc/apt/sources.list} (one-line form): the first {@code deb} entry for the release's own suite
	 * (the codename in {@code /etc/os-release}).
	 */
	record AptSource(String uri, String suite) {

		static AptSource read() {
			try {
				String codename = osRelease().get("VERSION_CODENAME");
				Prerequisites.require(codename != null && !codename.isBlank(), "a Debian host",
						"the container tests make their base image with debootstrap from the host's Debian mirror");
				List<AptSource> sources = new ArrayList<>();
				Path directory = Path.of("/etc/apt/sources.list.d");
				if (Files.isDirectory(directory)) {
					try (Stream<Path> files = Files.list(directory)) {
						for (Path file : files.filter(f -> f.toString().endsWith(".sources")).sorted().toList()) {
							sources.addAll(deb822(Files.readString(file)));
						}
					}
				}
				Path list = Path.of("/etc/apt/sources.list");
				if (Files.exists(list)) {
					sources.addAll(oneLine(Files.readString(list)));
				}
				return sources.stream()
					.filter(source -> source.suite().equals(codename))
					.findFirst()
					.orElseGet(() -> Prerequisites.missing("a Debian mirror in apt's sources",
							"no deb entry for suite " + codename + " in /etc/apt/sources.list(.d)"));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		static List<AptSource> deb822(String text) {
			List<AptSource> sources = new ArrayList<>();
			for (String stanza : text.split("\n\\s*\n")) {
				Map<String, String> fields = new LinkedHashMap<>();
				for (String line : stanza.split("\n")) {
					int colon = line.indexOf(':');
					if (!line.startsWith("#") && !line.startsWith(" ") && colon > 0) {
						fields.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
					}
				}
				if (List.of(fields.getOrDefault("types", "").split("\\s+")).contains("deb")
						&& !"no".equalsIgnoreCase(fields.getOrDefault("enabled", "yes"))) {
					for (String uri : fields.getOrDefault("uris", "").split("\\s+")) {
						for (String suite : fields.getOrDefault("suites", "").split("\\s+")) {
							if (!uri.isEmpty() && !suite.isEmpty()) {
								sources.add(new AptSource(uri, suite));
							}
						}
					}
				}
			}
			return sources;
		}

		static List<AptSource> oneLine(String text) {
			List<AptSource> sources = new ArrayList<>();
			for (String line : text.split("\n")) {
				String entry = line.replaceAll("\\[[^]]*]", " ").trim();
				String[] words = entry.split("\\s+");
				if (words.length >= 3 && words[0].equals("deb")) {
					sources.add(new AptSource(words[1], words[2]));
				}
			}
			return sources;
		}

		private static Map<String, String> osRelease() throws IOException {
			Map<String, String> values = new LinkedHashMap<>();
			Path file = Path.of("/etc/os-release");
			if (Files.exists(file)) {
				for (String line : Files.readAllLines(file)) {
					int equals = line.indexOf('=');
					if (equals > 0) {
						values.put(line.substring(0, equals), line.substring(equals + 1).replace("\"", ""));
					}
				}
			}
			return values;
		}

	}

}
