package dev.hark.ingest;

import static dev.hark.testing.Counts.assertCounts;
import static dev.hark.testing.Counts.awaitMetric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.testing.GateEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Queue overflow under each policy, with the numbers in /metrics and in stopped equal to what was sent. */
class OverflowPolicyTest {
  static final int QUEUE = 8;
  static final int SENT = 20;

  @Test
  void dropOldestKeepsTheNewestChunks() {
    GateEngine engine = new GateEngine();
    try (TestServer server = TestServer.start(engine, s -> s.withQueue(QUEUE, 0)); WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"drop_oldest\"}");
      c.awaitType("ready");
      engine.allow(1);
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), -1));
      await().until(() -> engine.consumed().size() == 1);
      c.send(WsClient.audioJson("mic", Pcm.chunk(1), -1));
      engine.awaitHeld(1); // chunk 1 is in a decoding turn, stalled at the gate: out of the queue
      for (int i = 2; i < SENT; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
      }
      JsonNode bp = c.awaitStatus("backpressure");
      assertThat(bp.path("source").asText()).isEqualTo("mic");
      assertThat(bp.path("dropped_frames").asLong()).isEqualTo(1);
      assertThat(bp.path("queue_depth").asInt()).isEqualTo(QUEUE);
      awaitMetric(server, "audio_frames_received_total", SENT, "source", "mic");

      Scrape s = server.scrape();
      int dropped = SENT - 2 - QUEUE;
      assertThat(s.count("audio_frames_dropped_total", "source", "mic", "reason", "drop_oldest")).isEqualTo(dropped);
      assertThat(s.count("source_queue_depth", "agg", "max")).isEqualTo(QUEUE);
      assertThat(s.count("audio_buffered_bytes")).isEqualTo(QUEUE * 640L);

      engine.open();
      c.send("{\"type\":\"stop\"}");
      JsonNode stats = c.awaitType("stopped").path("stats");
      assertThat(tags(engine.consumed())).containsExactly(0, 1, 12, 13, 14, 15, 16, 17, 18, 19);
      assertCounts(stats, SENT, QUEUE + 2, dropped);
      assertThat(stats.path("sources").path("mic").path("dropped_by_reason").path("drop_oldest").asLong())
          .isEqualTo(dropped);
      Scrape after = server.scrape();
      assertThat(after.count("audio_frames_consumed_total", "source", "mic")).isEqualTo(QUEUE + 2);
      assertThat(after.count("audio_frames_received_total", "source", "mic"))
          .isEqualTo(after.count("audio_frames_consumed_total", "source", "mic")
              + after.count("audio_frames_dropped_total", "source", "mic"));
      assertThat(after.count("audio_queue_wait_seconds_count")).isEqualTo(QUEUE + 2);
    }
  }

  @Test
  void dropNewestKeepsTheOldestChunks() {
    GateEngine engine = new GateEngine();
    try (TestServer server = TestServer.start(engine, s -> s.withQueue(QUEUE, 0)); WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"drop_newest\"}");
      c.awaitType("ready");
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), -1));
      engine.awaitHeld(1); // chunk 0 is in a decoding turn, stalled at the gate
      for (int i = 1; i < SENT; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
      }
      c.awaitStatus("backpressure");
      awaitMetric(server, "audio_frames_received_total", SENT, "source", "mic");
      int dropped = SENT - 1 - QUEUE;
      assertThat(server.scrape().count("audio_frames_dropped_total", "source", "mic", "reason", "drop_newest"))
          .isEqualTo(dropped);
      engine.open();
      c.send("{\"type\":\"stop\"}");
      JsonNode stats = c.awaitType("stopped").path("stats");
      assertThat(tags(engine.consumed())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
      assertCounts(stats, SENT, QUEUE + 1, dropped);
    }
  }

  @Test
  void queueMaxMsBoundsByAudioDuration() {
    GateEngine engine = new GateEngine();
    // 100 ms at 16 kHz = 3200 bytes = five 20 ms chunks, though the chunk bound would allow 48.
    try (TestServer server = TestServer.start(engine, s -> s.withQueue(48, 100)); WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"drop_newest\"}");
      c.awaitType("ready");
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), -1));
      engine.awaitHeld(1);
      for (int i = 1; i < 12; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
      }
      awaitMetric(server, "audio_frames_received_total", 12, "source", "mic");
      engine.open();
      c.send("{\"type\":\"stop\"}");
      assertCounts(c.awaitType("stopped").path("stats"), 12, 1 + 5, 6); // one in the turn, five queued
    }
  }

  static List<Integer> tags(List<byte[]> chunks) {
    return chunks.stream().map(Pcm::tag).toList();
  }
}
