package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Per-session limits: messages a second (excess dropped, counted, said) and the longest session (ended cleanly). */
class RateAndDurationLimitTest {
  private static final String START = "{\"type\":\"start\",\"sources\":[\"mic\"]}";

  @Test
  void messagesOverTheRateAreDroppedCountedAndReportedButStopStillWorks() {
    ServerConfig config = ServerConfig.defaults().withSessionLimits(Duration.ofHours(1), 20);
    try (TestServer server = TestServer.start(new NoneEngine(0), config); WsClient c = server.connect()) {
      c.send(START).awaitType("ready");
      for (int i = 0; i < 100; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
      }
      JsonNode error = c.awaitError("rate_limited");
      assertThat(error.path("message").asText()).contains("over 20 a second dropped");
      c.send("{\"type\":\"stop\"}");
      JsonNode stats = c.awaitType("stopped").path("stats");
      long limited = server.scrape().count("protocol_errors_total", "code", "rate_limited");
      assertThat(limited).isPositive();
      assertThat(stats.path("frames_received").asLong() + limited).isEqualTo(100);
      assertThat(c.awaitClose()).isEqualTo(1000);
    }
  }

  @Test
  void aSessionPastItsMaximumDurationIsStoppedByTheServer() {
    ServerConfig config = ServerConfig.defaults().withSessionLimits(Duration.ofMillis(700), 500);
    try (TestServer server = TestServer.start(new NoneEngine(0), config); WsClient c = server.connect()) {
      c.send(START).awaitType("ready");
      c.send(WsClient.audioJson("mic", Pcm.chunk(1), -1));
      JsonNode closing = c.awaitStatus("closing");
      assertThat(closing.path("reason").asText()).isEqualTo("max_duration");
      c.sendAsync("{\"type\":\"stop\"}"); // crossing the server's closing: taken quietly, no bad_state
      assertThat(c.awaitType("stopped").path("stats").path("frames_accepted").asLong()).isEqualTo(1);
      assertThat(c.awaitClose()).isEqualTo(1001);
      assertThat(c.closeReason()).isEqualTo("max_duration");
      assertThat(server.scrape().count("connections_closed_total", "reason", "max_duration")).isEqualTo(1);
      assertThat(c.seen("error", null)).isEmpty();
    }
  }
}
