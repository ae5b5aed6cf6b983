package dev.governor.controlplane.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;

/**
 * One person's headless Chromium: the system's browser and driver (Debian {@code chromium} and
 * {@code chromium-driver}, installed by the test command), never a download. Each instance has a
 * profile of its own, so two officers are signed in at once as they would be on two machines.
 */
public final class Browser implements AutoCloseable {

    public static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private final ChromeDriver driver;
    private final String name;
    private final Path downloads;

    private Browser(ChromeDriver driver, String name, Path downloads) {
        this.driver = driver;
        this.name = name;
        this.downloads = downloads;
    }

    public static Browser open(String name) {
        File chromium = new File(System.getenv().getOrDefault("GOVERNOR_CHROMIUM", "/usr/bin/chromium"));
        File chromedriver = new File(System.getenv().getOrDefault("GOVERNOR_CHROMEDRIVER", "/usr/bin/chromedriver"));
        if (!chromium.canExecute() || !chromedriver.canExecute()) {
            throw new IllegalStateException("Chromium (" + chromium + ") and its driver (" + chromedriver
                    + ") are needed; scripts/install-chromium installs them (Debian chromium, chromium-driver)");
        }
        Path downloads;
        try {
            downloads = Files.createDirectories(Path.of("target", "console-downloads", name + "-" + UUID.randomUUID())).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--lang=en-GB");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver)
                .usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), name, downloads);
    }

    /** A file this browser downloaded, once it is complete. */
    public Path downloaded(String file, Duration timeout) {
        Path target = downloads.resolve(file);
        await(timeout).until(d -> Files.isRegularFile(target) && !Files.exists(downloads.resolve(file + ".crdownload")));
        return target;
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void get(String url) {
        driver.get(url);
    }

    /** Through the identity provider's own sign-in page (Keycloak), back to the console. */
    public void signInWithKeycloak(String consoleUrl, String user, String password) {
        driver.get(consoleUrl);
        click(By.id("sign-in"));
        await(Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(By.id("kc-login")));
        driver.findElement(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("kc-login")).click();
        await(Duration.ofSeconds(20)).until(ExpectedConditions.textToBe(By.id("user"), user));
    }

    public WebElement find(By by) {
        return await(Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Clicks what {@code by} finds once it is clickable, again if a live update redrew it meanwhile. */
    public void click(By by) {
        await(Duration.ofSeconds(15)).until(d -> {
            WebElement element = ExpectedConditions.elementToBeClickable(by).apply(d);
            if (element == null) {
                return false;
            }
            element.click();
            return true;
        });
    }

    /** The visible text of what {@code by} finds, read again if a live update redrew it meanwhile. */
    public String text(By by) {
        return await(Duration.ofSeconds(15)).until(d -> {
            WebElement element = ExpectedConditions.visibilityOfElementLocated(by).apply(d);
            return element == null ? null : element.getText();
        });
    }

    public String attribute(By by, String name) {
        return await(Duration.ofSeconds(15)).until(d -> {
            WebElement element = ExpectedConditions.visibilityOfElementLocated(by).apply(d);
            return element == null ? null : element.getAttribute(name);
        });
    }

    public List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    public WebDriverWait await(Duration timeout) {
        // Pages redraw on live updates: an element found a moment ago may be replaced, so look again.
        WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(50));
        wait.ignoring(StaleElementReferenceException.class);
        wait.withMessage(() -> name + "'s page at " + driver.getCurrentUrl() + "; browser console: " + console());
        return wait;
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    public void resize(int width, int height) {
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(width, height));
    }

    /** A PNG of the whole page (not only the window) under target/console-screenshots/. */
    public Path screenshot(String file) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Long height = (Long) script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)");
            org.openqa.selenium.Dimension before = driver.manage().window().getSize();
            resize(before.getWidth(), (int) Math.min(Math.max(height + 140, before.getHeight()), 4000));
            Path target = SCREENSHOTS.resolve(file);
            Files.write(target, driver.getScreenshotAs(OutputType.BYTES));
            resize(before.getWidth(), before.getHeight());
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the page logged (errors included), for failure messages. */
    public String console() {
        try {
            return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString).toList().toString();
        } catch (RuntimeException e) {
            return "(unavailable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
