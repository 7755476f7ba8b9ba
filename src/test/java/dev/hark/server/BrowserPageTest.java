package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hark.asr.AsrEngines;
import dev.hark.asr.AsrSettings;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.CuttingRelay;
import dev.hark.testing.Haproxy;
import dev.hark.testing.Scrape;
import dev.hark.testing.ServeProcess;
import dev.hark.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The page at {@code /} in real headless Chromium (Debian's, driven by Playwright from {@code src/test/browser}), with
 * a fake microphone playing a committed speech recording: the words appear, the meter moves, and overload shows.
 * {@code .ci/run} installs Chromium and the driver and sets {@code HARK_REQUIRE_BROWSER=1}, so there a missing
 * browser fails the build; elsewhere the test is skipped with what to install.
 */
class BrowserPageTest {
  static final Path DRIVER = Path.of("src/test/browser");
  static final Path OUT = Path.of("target/browser");
  static final Path SPEECH = Path.of("src/test/resources/speech/sense_and_sensibility_01_austen_64kb-0880.wav");

  @BeforeAll
  static void needChromium() throws IOException {
    String chromium = System.getenv().getOrDefault("HARK_CHROMIUM", "/usr/bin/chromium");
    boolean present = Files.isExecutable(Path.of(chromium))
        && Files.isDirectory(DRIVER.resolve("node_modules/playwright-core"));
    if (!present && "1".equals(System.getenv("HARK_REQUIRE_BROWSER"))) {
      fail("Chromium or playwright-core missing: apt-get install chromium; npm ci --prefix " + DRIVER);
    }
    assumeTrue(present, "browser test skipped: apt-get install chromium; npm ci --prefix " + DRIVER);
    Files.createDirectories(OUT);
  }

  @Test
  void spokenWordsAppearAndTheMeterMoves() throws Exception {
    try (TestServer server = TestServer.load(m -> AsrEngines.create("vosk", AsrSettings.defaults(), m))) {
      // The clip says "he was not an ill disposed young man".
      JsonNode page = drive(server, "page.png", "expect-words", "young man");
      assertThat(page.path("ok").asBoolean()).as(page.toString()).isTrue();
      assertThat(page.path("peak").asDouble()).as("level meter peak").isGreaterThan(0.02);
      assertThat(page.path("connection").asText()).startsWith("Connected: session ");
      assertThat(page.path("consoleErrors")).as(page.toString()).isEmpty();
      // Final words carry their times and confidence; "nail" (for "ill") is one Vosk is unsure of, shown lighter.
      assertThat(page.path("words")).as(page.toString()).isNotEmpty()
          .allMatch(w -> w.path("title").asText().contains("confidence"));
      assertThat(page.path("words")).anyMatch(w -> w.path("unsure").asBoolean());
      assertThat(OUT.resolve("page.png")).isNotEmptyFile();
    }
  }

  @Test
  void aStalledRecognizerShowsBackpressureOnThePage() throws Exception {
    // A recognizer 100x slower than real time behind a two-chunk queue: the mic must overflow within a second.
    try (TestServer server = TestServer.startWithoutCapacityControl(new NoneEngine(100), s -> s.withQueue(2, 0))) {
      JsonNode page = drive(server, "overload.png", "expect-state", "backpressure");
      assertThat(page.path("ok").asBoolean()).as(page.toString()).isTrue();
      assertThat(page.path("state").asText()).contains("chunks dropped so far");
      assertThat(server.scrape().count("audio_frames_dropped_total")).isPositive();
    }
  }

  @Test
  void aLostConnectionComesBackAsANewSessionAndSaysSo() throws Exception {
    TestServer[] server = {TestServer.start(new NoneEngine(0))};
    int port = server[0].port();
    try {
      JsonNode page = drive(server[0], "reconnect.png", "expect-reconnect", "-", line -> {
        if (line.equals("PHASE connected")) {
          server[0].close(); // the page sees the session end (1001) and retries with backoff
          server[0] = TestServer.startOnPort(new NoneEngine(0), port);
        }
      });
      assertThat(page.path("ok").asBoolean()).as(page.toString()).isTrue();
      assertThat(page.path("connection").asText()).startsWith("Reconnected as a new session");
      assertThat(server[0].scrape().count("audio_frames_received_total")).isPositive();
    } finally {
      server[0].close();
    }
  }

  /**
   * A connection cut mid-stream (a reset through a relay, as a failing link gives): the page resumes the same
   * session, sends again what the server had not acknowledged, says nothing was lost, and the words keep coming.
   */
  @Test
  void aCutConnectionIsResumedWithNothingLostAndSaysSo() throws Exception {
    try (TestServer server = TestServer.vosk(); CuttingRelay relay = new CuttingRelay(server.port())) {
      JsonNode page = drive(relay.port(), "/", "resume.png", "expect-resume", "young man", line -> {
        if (line.equals("PHASE connected")) {
          Thread.ofPlatform().daemon().start(() -> {
            try {
              Thread.sleep(1500); // some audio and acks first
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            relay.cut();
          });
        }
      });
      assertThat(page.path("ok").asBoolean()).as(page.toString()).isTrue();
      assertThat(relay.cuts()).isPositive();
      assertThat(page.path("connection").asText()).startsWith("Resumed session").contains("nothing was lost");
      assertThat(page.path("consoleErrors")).as(page.toString()).isEmpty();
      Scrape m = server.scrape();
      assertThat(m.count("sessions_resumes_total", "outcome", "resumed")).isPositive();
      assertThat(m.count("audio_frames_dropped_total", "reason", "disconnected")).isZero();
    }
  }

  /**
   * Behind HAProxy, the node holding the page's session is killed (SIGKILL): the page's resume is refused before
   * the upgrade, the balancer still answers, so the page begins a new session on another node at once, says so,
   * and its audio flows there.
   */
  @Test
  void behindABalancerThePageGoesOnInANewSessionWhenItsNodeIsKilled() throws Exception {
    Haproxy.require();
    Path dir = Files.createTempDirectory("hark-page-cluster");
    List<ServeProcess> nodes = new ArrayList<>();
    List<Integer> agents = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        try (ServerSocket free = new ServerSocket(0)) {
          agents.add(free.getLocalPort());
        }
        nodes.add(ServeProcess.start(Files.createDirectories(dir.resolve("node" + i)), List.of(), "--asr", "none",
            "--node-name", "node" + i, "--agent-port", String.valueOf(agents.getLast())));
      }
      try (Haproxy lb = new Haproxy(nodes.stream().map(ServeProcess::port).toList(), agents, 100)) {
        Thread.sleep(2500); // the balancer's first checks
        long[] killedAt = {0};
        ServeProcess[] owner = {null};
        JsonNode page = drive(lb.port(), "/", "cluster.png", "expect-reconnect", "-", line -> {
          if (line.equals("PHASE connected")) {
            owner[0] = nodes.stream().filter(n -> Scrape.of(n.port()).count("sessions_active") == 1).findFirst()
                .orElseThrow();
            owner[0].sigkill();
            killedAt[0] = System.nanoTime();
          }
        });
        long tookMs = (System.nanoTime() - killedAt[0]) / 1_000_000;
        assertThat(page.path("ok").asBoolean()).as(page.toString()).isTrue();
        assertThat(page.path("connection").asText()).startsWith("Reconnected as a new session");
        System.out.printf("page behind HAProxy: a new session %d ms after SIGKILL of its node%n", tookMs);
        assertThat(tookMs).as("from SIGKILL to the new session's page, in ms").isLessThan(2000);
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().filter(n -> n != owner[0])
            .anyMatch(n -> Scrape.of(n.port()).count("audio_frames_received_total") > 0));
      }
    } finally {
      nodes.forEach(ServeProcess::close);
    }
  }

  @Test
  void aTokenInThePagesAddressOpensAServerThatWantsOne() throws Exception {
    Path tokens = Files.createTempFile("hark-tokens", "");
    Files.writeString(tokens, "page-secret\n");
    ServerConfig config = ServerConfig.defaults()
        .withAccess(new AccessSettings(tokens, List.of(), 64, false));
    try (TestServer server = TestServer.start(new NoneEngine(0), config)) {
      JsonNode page = drive(server, "/?token=page-secret", "token.png", "expect-audio", "-", line -> { });
      assertThat(page.path("ok").asBoolean()).as(page.toString()).isTrue();
      assertThat(server.scrape().count("audio_frames_received_total")).isPositive();
      assertThat(server.scrape().count("sessions_refused_total")).isZero();
    } finally {
      Files.delete(tokens);
    }
  }

  private static JsonNode drive(TestServer server, String screenshot, String mode, String arg) throws Exception {
    return drive(server, "/", screenshot, mode, arg, line -> { });
  }

  private static JsonNode drive(TestServer server, String screenshot, String mode, String arg,
      Consumer<String> onLine) throws Exception {
    return drive(server, "/", screenshot, mode, arg, onLine);
  }

  /** Runs the driver on {@code path}; {@code onLine} sees each line it prints before the last (its JSON result). */
  private static JsonNode drive(TestServer server, String path, String screenshot, String mode, String arg,
      Consumer<String> onLine) throws Exception {
    return drive(server.port(), path, screenshot, mode, arg, onLine);
  }

  private static JsonNode drive(int port, String path, String screenshot, String mode, String arg,
      Consumer<String> onLine) throws Exception {
    Process p = new ProcessBuilder("node", "page-test.mjs", "http://127.0.0.1:" + port + path,
        SPEECH.toAbsolutePath().toString(), OUT.resolve(screenshot).toAbsolutePath().toString(), mode, arg)
        .directory(DRIVER.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String last = "";
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        onLine.accept(line);
        last = line;
      }
    }
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("the browser driver did not finish in 3 minutes");
    }
    return new ObjectMapper().readTree(last);
  }
}
