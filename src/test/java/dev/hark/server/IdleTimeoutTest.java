package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.asr.NoneEngine;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A connection that sends nothing for {@code --idle-timeout-s} is closed with 1001 and a reason; pings keep it. */
class IdleTimeoutTest {
  @Test
  void aSilentSessionIsClosedAndAPingingOneIsNot() throws Exception {
    ServerConfig config = ServerConfig.defaults().withIdleTimeout(Duration.ofMillis(1500));
    try (TestServer server = TestServer.start(new NoneEngine(0), config);
        WsClient silent = server.connect();
        WsClient pinging = server.connect()) {
      silent.send("{\"type\":\"start\"}");
      pinging.send("{\"type\":\"start\"}");
      silent.awaitType("ready");
      pinging.awaitType("ready");
      for (int i = 0; i < 12; i++) { // 2.4 s of pings 200 ms apart, far inside the 1.5 s timeout
        pinging.send("{\"type\":\"ping\"}");
        Thread.sleep(200);
      }
      assertThat(silent.awaitClose()).isEqualTo(1001);
      assertThat(silent.closeReason()).startsWith("idle: no audio or ping");
      assertThat(pinging.isClosed()).isFalse();
      assertThat(server.scrape().count("connections_idle_closed_total")).isEqualTo(1);
    }
  }
}
