package dev.lambdalab.testbed.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.support.LabExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live page in headless Chromium (Debian's chromium and chromium-driver, never a browser a tool
 * downloads): the counters and the charts show the traffic the test sends. Skipped without Chromium
 * unless TESTBED_REQUIRE_CHROMIUM=1 (CI sets it).
 */
@ExtendWith(LabExtension.class)
class ServePageIT {

    static final String REQUIRE_CHROMIUM = "TESTBED_REQUIRE_CHROMIUM";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Selenium warns that it has no DevTools (CDP) support for this Chromium version; the test drives the
     * browser through WebDriver only. A strong reference keeps the level set (JUL loggers are weak).
     */
    private static final java.util.logging.Logger CDP_LOGGER = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }

    private LabServer server;
    private ChromeDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    static void assumeChromium() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String message = "Chromium is not installed (sudo apt-get install -y chromium chromium-driver): browser test skipped";
        if ("1".equals(System.getenv(REQUIRE_CHROMIUM))) {
            Assertions.fail(message.replace("skipped", "required by " + REQUIRE_CHROMIUM));
        }
        Assumptions.abort(message);
    }

    private ChromeDriver browser(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // The flags a sandboxed CI machine needs; background networking off, as the network is closed.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1300,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void thePageShowsTheTrafficInItsCountersAndCharts(TestBed testBed, @TempDir Path profile) throws Exception {
        assumeChromium();
        assertThat(CDP_LOGGER.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
        testBed.resetConnections();
        server = new LabServer(testBed).withPort(0).start();
        browser = browser(profile);
        browser.get(server.baseUrl() + "/");

        // Both routes at once, as on the page's screenshot in the README: the broken one must not blur the
        // fixed one's numbers. The fixed route starts a second earlier: both share the role's 10 slots, and the
        // proxy keeps the server connections it opened, while leaked broken pools would otherwise take every
        // slot first (the README says so: press Reset between experiments).
        Thread fixedLoad = new Thread(() -> {
            try {
                HttpLoad.run(server.baseUrl() + "/fixed?holdMs=10", 20, Duration.ofSeconds(4));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        fixedLoad.start();
        Thread.sleep(1000);
        HttpLoad.run(server.baseUrl() + "/broken", 20, Duration.ofSeconds(3));
        fixedLoad.join();
        Thread.sleep(1500); // a sample and a poll
        JsonNode metrics = JSON.readTree(server.metricsJson());
        long fixedRequests = metrics.path("routes").path("/fixed").path("requests").asLong();
        long brokenErrors = metrics.path("routes").path("/broken").path("errors").asLong();

        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.until(driver -> driver.findElement(By.id("fixed-requests")).getText().equals(Long.toString(fixedRequests)));
        assertThat(fixedRequests).isPositive();
        assertThat(text("fixed-ok")).isEqualTo(Long.toString(fixedRequests));
        assertThat(text("broken-errors")).isEqualTo(Long.toString(brokenErrors));
        assertThat(brokenErrors).as("the broken route failed under 20 clients").isPositive();
        assertThat(text("broken-causes")).startsWith("errors by cause:").contains("ROLE_CONNECTION_LIMIT");
        assertThat(Integer.parseInt(text("fixed-envs"))).isPositive();
        assertThat(Integer.parseInt(text("fixed-peakdb"))).as("the fixed route's peak, the proxy's maximum being 5")
                .isPositive().isLessThanOrEqualTo(5);
        for (String chart : new String[] {"fixed-connections", "fixed-rates", "broken-connections", "broken-rates"}) {
            assertThat(Integer.parseInt(browser.findElement(By.id(chart)).getAttribute("data-points")))
                    .as("points drawn in chart %s", chart).isPositive();
        }
        Object painted = browser.executeScript("const c = document.getElementById('fixed-rates');"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;");
        assertThat(((Number) painted).longValue()).as("painted pixels of the requests chart").isGreaterThan(500);
        assertThat(text("meta")).contains("CONNECTION LIMIT 10");
        Path screenshot = Path.of("target", "serve-page.png");
        Files.write(screenshot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }
}
