package dev.hark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.WsClient;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real {@code hark serve} process sent SIGTERM: it drains, tells its sessions, and exits. */
class SigtermTest {
  @TempDir
  Path dir;

  @Test
  void sigtermDrainsOpenSessionsThenExits() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    File log = dir.resolve("serve.log").toFile();
    // --none-rtf 0.5: a second of queued audio takes the recognizer half a second to drain.
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.hark.cli.Main", "serve",
        "--asr", "none", "--none-rtf", "0.5", "--port", String.valueOf(port), "--drain-timeout-s", "10")
        .redirectErrorStream(true).redirectOutput(log).start();
    try {
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> Scrape.get(port, "/readyz").statusCode() == 200);
      try (WsClient c = WsClient.connect(port)) {
        c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
        for (int i = 0; i < 50; i++) {
          c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
        }
        c.send("{\"type\":\"ping\"}").awaitType("pong");
        p.destroy(); // SIGTERM
        assertThat(c.awaitStatus("closing").path("reason").asText()).isEqualTo("shutdown");
        assertThat(Scrape.get(port, "/readyz").statusCode()).isEqualTo(503);
        JsonNode stats = c.awaitType("stopped").path("stats");
        assertThat(stats.path("frames_accepted").asLong()).isEqualTo(50);
        assertThat(stats.path("frames_dropped").asLong()).isZero();
        assertThat(c.awaitClose()).isEqualTo(1001);
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
    } finally {
      p.destroyForcibly();
    }
  }
}
