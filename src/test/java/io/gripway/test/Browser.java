package io.gripway.test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium for end-to-end tests, from the operating system's packages ({@code chromium} and
 * {@code chromium-driver}; {@code CHROMIUM_BIN} and {@code CHROMEDRIVER_BIN} point elsewhere), driven by Selenium
 * through that chromedriver: nothing is downloaded. Missing, it skips the test, or fails it in CI
 * ({@link Prerequisites}). One browser, fresh profile, per instance.
 */
public final class Browser implements AutoCloseable {

	private static final String CHROMIUM = env("CHROMIUM_BIN", "/usr/bin/chromium");

	private static final String CHROMEDRIVER = env("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");

	private final ChromeDriver driver;

	private final Path profile;

	private Browser(ChromeDriver driver, Path profile) {
		this.driver = driver;
		this.profile = profile;
	}

	public static Browser start() {
		Prerequisites.require(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
				"chromium", "the browser tests run headless Chromium (" + CHROMIUM + ", " + CHROMEDRIVER
						+ "): apt-get install chromium chromium-driver");
		Path profile;
		try {
			profile = Files.createTempDirectory("gripway-chromium-");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		// --no-sandbox: the tests may run as root (containers, CI), where Chromium's sandbox cannot start
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1360,900");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
			.usingAnyFreePort()
			.build();
		ChromeDriver driver = new ChromeDriver(service, options);
		driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(15)).scriptTimeout(Duration.ofSeconds(15));
		driver.manage().window().setSize(new Dimension(1360, 900));
		return new Browser(driver, profile);
	}

	public void open(String url) {
		this.driver.get(url);
	}

	/** Runs {@code script} in the page (its {@code arguments} are {@code args}) and returns its result. */
	public Object script(String script, Object... args) {
		return ((JavascriptExecutor) this.driver).executeScript(script, args);
	}

	/** {@link #script} as text, {@code ""} for {@code null}. */
	public String text(String script, Object... args) {
		Object result = script(script, args);
		return (result != null) ? result.toString() : "";
	}

	public WebElement find(String cssSelector) {
		return this.driver.findElement(By.cssSelector(cssSelector));
	}

	/** The text of the element {@code cssSelector}, or {@code ""} when there is none yet. */
	public String textOf(String cssSelector) {
		return this.driver.findElements(By.cssSelector(cssSelector)).stream().map(WebElement::getText).findFirst()
			.orElse("");
	}

	/** Saves what the page shows as a PNG at {@code file}. */
	public Path screenshot(Path file) throws IOException {
		Files.createDirectories(file.toAbsolutePath().getParent());
		Files.write(file, this.driver.getScreenshotAs(OutputType.BYTES));
		return file;
	}

	@Override
	public void close() {
		try {
			this.driver.quit();
		}
		finally {
			try (Stream<Path> files = Files.walk(this.profile)) {
				files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
			}
			catch (IOException ex) {
				// a temporary profile left behind is harmless
			}
		}
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value == null || value.isBlank()) ? fallback : value;
	}

}
