package slice.train.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;
import slice.engine.SharedData;
import slice.weights.Gallery;

/**
 * The page of {@code serve} in a real browser: Debian's headless Chromium driven through its chromedriver by
 * Selenium. A person is enrolled from a file on the page, a new photo of them is recognised and their name appears,
 * live events arrive, a stranger shows up among today's unknowns and "this is …" enrols them; a screenshot of the page
 * is saved as {@code target/serve-page.png}. Skipped when Chromium or chromedriver is absent, unless {@code CI=true},
 * where that is a failure ({@code .ci/run} installs both).
 */
class ServePageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium"), CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String LFW = "faces/lfw_deepfunneled_min20/";

    @TempDir Path tmp;

    private static Path photo(String person, int number) {
        return SharedData.require(String.format(Locale.ROOT, "%s%s/%s_%04d.jpg", LFW, person, person, number));
    }

    @Test
    void enrolOnThePageThenSeeThePersonRecognised() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            if ("true".equals(System.getenv("CI"))) fail("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing");
            assumeTrue(false, "no headless Chromium here (apt-get install chromium chromium-driver)");
        }
        Path powell = photo("Colin_Powell", 1), powellAgain = photo("Colin_Powell", 4), stranger = photo("Serena_Williams", 1);
        Path model = tmp.resolve("family");
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("--model", model.toString(), "--face-models", SharedData.require("models/face_api").toString(),
                "--port", "0");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + tmp.resolve("profile"), "--window-size=1200,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        try (Server server = command.start()) {
            WebDriver browser = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
                browser.get("http://127.0.0.1:" + server.port() + "/");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("health"), "0 people"));

                browser.findElement(By.id("enrol-name")).sendKeys("Colin Powell");
                browser.findElement(By.id("enrol-file")).sendKeys(powell.toString());
                browser.findElement(By.id("enrol-button")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("people"), "Colin Powell (1)"));
                assertEquals(List.of("Colin Powell"), Gallery.read(model).people().stream().map(Gallery.Person::name).toList());

                browser.findElement(By.id("recognise-file")).sendKeys(powellAgain.toString());
                wait.until(ExpectedConditions.textToBe(By.id("recognise-result"), "Colin Powell"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("events"), "api: Colin Powell"));

                browser.findElement(By.id("recognise-file")).sendKeys(stranger.toString());
                wait.until(ExpectedConditions.textToBe(By.id("recognise-result"), "unknown"));
                wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#unknowns li"), 1));
                Files.write(Path.of("target", "serve-page.png"),
                        ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));

                browser.findElement(By.cssSelector("#unknowns li button")).click();
                var prompt = wait.until(ExpectedConditions.alertIsPresent());
                prompt.sendKeys("Serena Williams");
                prompt.accept();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("people"), "Serena Williams (1)"));
                assertEquals(List.of("Colin Powell", "Serena Williams"),
                        Gallery.read(model).people().stream().map(Gallery.Person::name).toList());
                assertTrue(new File("target/serve-page.png").length() > 10_000, "a screenshot of the page");
            } finally {
                browser.quit();
            }
        }
    }
}
