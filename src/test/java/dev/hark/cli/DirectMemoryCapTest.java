package dev.hark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hark.testing.Attacker;
import dev.hark.testing.GoodClient;
import dev.hark.testing.Scrape;
import dev.hark.testing.ServeProcess;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code hark serve} process whose JVM may hold only 64 MB of direct memory, attacked at the sizes that used
 * to exhaust it (WebSocket pings never read, requests with bad %-escapes, pipelined requests never read): it stays
 * healthy, a well-behaved session beside the attacks loses nothing, the log has no error, no leak and no stack
 * trace, and SIGTERM still stops it.
 */
class DirectMemoryCapTest {
  private static final long MB = 1 << 20;

  @TempDir
  Path dir;

  @Test
  void attacksThatUsedToExhaustDirectMemoryLeaveTheServerHealthy() throws Exception {
    // ServeProcess adds the production flags and the paranoid leak detector.
    try (ServeProcess p = ServeProcess.start(dir, List.of("-XX:MaxDirectMemorySize=64m"), "--asr", "none")) {
      int port = p.port();
      var good = GoodClient.stream(port, 200);
      try (Attacker pings = Attacker.upgraded(port)) {
        pings.flood(Attacker.frame(0x9, new byte[125]), 128 * MB, 10);
      }
      List<Socket> escapes = new ArrayList<>();
      byte[] body = "x".repeat(8000).getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 600; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write(("POST " + (i % 2 == 0 ? "/%zz" : "/%") + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(body);
        escapes.add(s);
      }
      int cut = 0;
      for (String path : List.of("/app.js", "/metrics")) {
        try (Attacker pipeline = Attacker.connect(port)) {
          byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
          pipeline.flood(request, 132 * 1024, 5);
          int expected = ++cut;
          await().atMost(Duration.ofSeconds(30)).until(
              () -> Scrape.of(port).count("connections_closed_total", "reason", "pipeline") == expected);
        }
      }
      for (Socket s : escapes) {
        s.close();
      }
      assertThat(good.get(60, TimeUnit.SECONDS)).isNotNull();
      assertThat(Scrape.get(port, "/healthz").statusCode()).isEqualTo(200);
      Scrape m = Scrape.of(port);
      assertThat(m.count("connections_closed_total", "reason", "flood")).isEqualTo(1);
      assertThat(m.count("connections_closed_total", "reason", "pipeline")).isEqualTo(2);
      assertThat(m.count("http_requests_rejected_total", "reason", "bad_request")).isEqualTo(600);
      // A second well-behaved session after the attacks, too.
      assertThat(GoodClient.stream(port, 50).get(30, TimeUnit.SECONDS)).isNotNull();
      p.sigterm();
      assertThat(p.awaitExit(30)).as("stopped by SIGTERM").isTrue();
      assertThat(p.log()).doesNotContain("OutOfMemoryError", "LEAK:", "\tat ", "ERROR", "WARN");
    }
  }
}
