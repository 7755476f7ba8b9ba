package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.NoneEngine;
import dev.hark.ingest.SourceQueue;
import dev.hark.testing.GateEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.SharedServer;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HappyPathTest {
  @RegisterExtension
  static final SharedServer server = new SharedServer(() -> TestServer.start(new NoneEngine(0)));

  /** flush asks each source's recognizer for its final now; flushed follows, per source, once it is out. */
  @Test
  void flushIsAnsweredWithFlushedPerSourceAndBadFlushesAreTypedErrors() {
    try (WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\",\"system\"]}").awaitType("ready");
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), 0));
      c.send(WsClient.audioJson("system", Pcm.chunk(0), 0));
      c.send("{\"type\":\"flush\"}");
      JsonNode first = c.awaitType("flushed");
      JsonNode second = c.awaitType("flushed");
      assertThat(List.of(first.path("source").asText(), second.path("source").asText()))
          .containsExactlyInAnyOrder("mic", "system");
      c.send("{\"type\":\"flush\",\"source\":\"mic\"}");
      assertThat(c.awaitType("flushed").path("source").asText()).isEqualTo("mic");
      c.send("{\"type\":\"flush\",\"source\":\"nobody\"}").awaitError("unknown_source");
      c.send("{\"type\":\"stop\"}").awaitType("stopped");
    }
  }

  /** Flushes wait for the recognizer; past the bound of pending ones the next is refused, not merged. */
  @Test
  void flushesPendingPastTheBoundAreRefusedAndEachPendingOneIsAnswered() {
    GateEngine engine = new GateEngine();
    try (TestServer gated = TestServer.start(engine); WsClient c = gated.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), 0));
      engine.awaitHeld(1); // the recognizer is stalled in its turn: flushes stay pending
      for (int i = 0; i < SourceQueue.MAX_FLUSHES; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i + 1), i + 1));
        c.send("{\"type\":\"flush\",\"source\":\"mic\"}");
      }
      c.send("{\"type\":\"flush\"}");
      assertThat(c.awaitError("bad_state").path("message").asText()).contains("pending");
      engine.open();
      for (int i = 0; i < SourceQueue.MAX_FLUSHES; i++) {
        c.awaitType("flushed");
      }
      c.send("{\"type\":\"stop\"}").awaitType("stopped");
      assertThat(c.seen()).filteredOn(m -> m.path("type").asText().equals("flushed"))
          .hasSize(SourceQueue.MAX_FLUSHES);
    }
  }

  @Test
  void startAudioStopGivesReadyStatsAndNormalClose() {
    try (WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sample_rate\":16000,\"sources\":[\"mic\",\"system\"],"
          + "\"overflow\":\"drop_oldest\"}");
      JsonNode ready = c.awaitType("ready");
      assertThat(ready.path("session_id").asText()).isNotBlank();
      assertThat(ready.path("sample_rate").asInt()).isEqualTo(16000);
      assertThat(ready.path("queue_max").asInt()).isEqualTo(48);
      assertThat(ready.path("overflow").asText()).isEqualTo("drop_oldest");

      for (int i = 0; i < 30; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), i));
        c.sendBinary(binary(1, Pcm.chunk(i)));
      }
      c.send("{\"type\":\"stop\"}");
      JsonNode stats = c.awaitType("stopped").path("stats");
      assertThat(c.awaitClose()).isEqualTo(1000);

      assertThat(stats.path("frames_received").asLong()).isEqualTo(60);
      assertThat(stats.path("frames_accepted").asLong()).isEqualTo(60);
      assertThat(stats.path("frames_dropped").asLong()).isZero();
      assertThat(stats.path("bytes_received").asLong()).isEqualTo(60 * 640);
      JsonNode mic = stats.path("sources").path("mic");
      assertThat(mic.path("frames_received").asLong()).isEqualTo(30);
      assertThat(mic.path("audio_ms").asLong()).isEqualTo(600);
      assertThat(stats.path("sources").path("system").path("frames_accepted").asLong()).isEqualTo(30);
      assertThat(c.seen("status", null)).isEmpty();
    }
  }

  @Test
  void audioWithoutStartUsesDefaultsAndSystemSource() {
    try (WsClient c = server.connect()) {
      c.send("{\"data\":\"" + Base64.getEncoder().encodeToString(Pcm.chunk(1)) + "\",\"type\":\"audio\"}");
      c.send("{\"type\":\"stop\"}");
      JsonNode stats = c.awaitType("stopped").path("stats");
      assertThat(stats.path("sources").path("system").path("frames_accepted").asLong()).isEqualTo(1);
      assertThat(c.awaitClose()).isEqualTo(1000);
    }
  }

  @Test
  void pingGetsPong() {
    try (WsClient c = server.connect()) {
      c.send("{\"type\":\"ping\"}");
      assertThat(c.awaitType("pong")).isNotNull();
    }
  }

  @Test
  void seqGapIsReported() {
    try (WsClient c = server.connect()) {
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), 0));
      c.send(WsClient.audioJson("mic", Pcm.chunk(1), 1));
      c.send(WsClient.audioJson("mic", Pcm.chunk(5), 5));
      JsonNode gap = c.awaitStatus("gap");
      assertThat(gap.path("expected_seq").asLong()).isEqualTo(2);
      assertThat(gap.path("received_seq").asLong()).isEqualTo(5);
      assertThat(gap.path("missing_frames").asLong()).isEqualTo(3);
      c.send("{\"type\":\"stop\"}");
      assertThat(c.awaitType("stopped").path("stats").path("sources").path("mic").path("seq_missing").asLong())
          .isEqualTo(3);
    }
  }

  @Test
  void healthReadyAndMetricsEndpoints() {
    assertThat(Scrape.get(server.port(), "/healthz").statusCode()).isEqualTo(200);
    assertThat(Scrape.get(server.port(), "/readyz").statusCode()).isEqualTo(200);
    var metrics = Scrape.get(server.port(), "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body()).contains("audio_frames_received_total", "sessions_active",
        "audio_queue_wait_seconds_bucket");
    assertThat(Scrape.get(server.port(), "/nope").statusCode()).isEqualTo(404);
    assertThat(Scrape.get(server.port(), "/ws/live").statusCode()).isEqualTo(426);
  }

  static byte[] binary(int index, byte[] pcm) {
    byte[] f = new byte[pcm.length + 1];
    f[0] = (byte) index;
    System.arraycopy(pcm, 0, f, 1, pcm.length);
    return f;
  }
}
