package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.RawWs;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-session limits: messages a second (excess dropped, counted, said) and the longest session (ended cleanly). */
class RateAndDurationLimitTest {
  private static final ObjectMapper JSON = new ObjectMapper();
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

  /**
   * A block session is promised no loss whatever its message rate: past the rate its socket is read slower, not its
   * messages dropped. 10 ms chunks as fast as the socket takes them, at 100 messages a second, into a four-chunk
   * queue before a recognizer slower than real time, so that the rate and the full queue both stop reading, by
   * turns: every chunk is accepted, none is limited.
   */
  @Test
  void aBlockSessionOverTheRateIsReadSlowerAndLosesNothing() throws Exception {
    ServerConfig d = ServerConfig.defaults();
    ServerConfig config = d.withSessionLimits(Duration.ofHours(1), 100).withIngest(d.ingest().withQueue(4, 0));
    try (TestServer server = TestServer.start(new NoneEngine(1.2), config); RawWs ws = new RawWs(server.port())) {
      ws.text("{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"block\"}");
      byte[] frame = new byte[1 + 320]; // source index 0, then 10 ms of 16 kHz PCM16
      for (int i = 0; i < 200; i++) {
        ws.frame(true, 2, frame);
      }
      ws.text("{\"type\":\"stop\"}");
      List<JsonNode> replies = new ArrayList<>();
      for (RawWs.Frame f = ws.next(30); f != null && f.opcode() == 1; f = ws.next(30)) {
        replies.add(JSON.readTree(f.text()));
      }
      assertThat(replies).noneMatch(m -> m.path("type").asText().equals("error"));
      JsonNode stats = replies.getLast().path("stats");
      assertThat(replies.getLast().path("type").asText()).isEqualTo("stopped");
      assertThat(stats.path("frames_received").asLong()).isEqualTo(200);
      assertThat(stats.path("frames_accepted").asLong()).isEqualTo(200);
      assertThat(stats.path("frames_dropped").asLong()).isZero();
      assertThat(server.scrape().count("protocol_errors_total", "code", "rate_limited")).isZero();
      assertThat(server.scrape().count("socket_read_pauses_total")).as("the queue stopped reading too").isPositive();
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
