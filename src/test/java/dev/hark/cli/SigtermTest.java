package dev.hark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.ServeProcess;
import dev.hark.testing.WsClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real {@code hark serve} process sent SIGTERM: it drains, tells its sessions, and exits. */
class SigtermTest {
  @TempDir
  Path dir;

  @Test
  void sigtermDrainsOpenSessionsThenExits() throws Exception {
    // --none-rtf 0.5: a second of queued audio takes the recognizer half a second to drain.
    try (ServeProcess p = ServeProcess.start(dir, List.of(), "--asr", "none", "--none-rtf", "0.5",
        "--drain-timeout-s", "10")) {
      int port = p.port();
      try (WsClient c = WsClient.connect(port)) {
        c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
        // 40 chunks: well inside the 48-chunk queue even if the first decoding turn starts late on a busy machine.
        for (int i = 0; i < 40; i++) {
          c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
        }
        c.send("{\"type\":\"ping\"}").awaitType("pong");
        p.sigterm();
        assertThat(c.awaitStatus("closing").path("reason").asText()).isEqualTo("shutdown");
        assertThat(Scrape.get(port, "/readyz").statusCode()).isEqualTo(503);
        JsonNode stats = c.awaitType("stopped").path("stats");
        assertThat(stats.path("frames_accepted").asLong()).as(stats.toString()).isEqualTo(40);
        assertThat(stats.path("frames_dropped").asLong()).isZero();
        assertThat(c.awaitClose()).isEqualTo(1001);
      }
      assertThat(p.awaitExit(30)).isTrue();
      assertThat(p.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
    }
  }
}
