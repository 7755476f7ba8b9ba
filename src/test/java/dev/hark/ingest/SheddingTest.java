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
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The global budget sheds the source holding the most audio, and restores it once the budget is below half. */
class SheddingTest {
  static final int CHUNK = 640;

  @Test
  void largestSourceIsShedThenRestored() {
    GateEngine engine = new GateEngine();
    try (TestServer server = TestServer.start(engine,
            s -> s.withQueue(48, 0).withBudget(20 * CHUNK).withShedHold(Duration.ofMillis(300)));
        WsClient a = server.connect(); WsClient b = server.connect()) {
      for (int i = 0; i < 15; i++) {
        a.send(WsClient.audioJson("a", Pcm.chunk(i), -1));
      }
      awaitMetric(server, "audio_frames_received_total", 15, "source", "a");
      engine.awaitHeld(1); // a's first chunk is in a decoding turn (out of the budget); 14 are queued
      b.send(WsClient.audioJson("b", Pcm.chunk(0), -1));
      engine.awaitHeld(2);
      // b's 2nd to 7th chunks fill the budget to its 20; the 8th is one too many.
      for (int i = 1; i < 8; i++) {
        b.send(WsClient.audioJson("b", Pcm.chunk(i), -1));
      }
      JsonNode shed = a.awaitStatus("source_dropped");
      assertThat(shed.path("source").asText()).isEqualTo("a");
      assertThat(shed.path("dropped_frames").asLong()).isEqualTo(14);
      await().until(() -> server.scrape().count("audio_buffered_bytes") == 6 * CHUNK);

      // While shed and within the hold time, a's chunks are dropped on arrival.
      a.send(WsClient.audioJson("a", Pcm.chunk(100), -1));
      awaitMetric(server, "audio_frames_received_total", 16, "source", "a");
      Scrape s = server.scrape();
      assertThat(s.count("audio_frames_dropped_total", "source", "a", "reason", "source_shed")).isEqualTo(15);
      assertThat(s.count("audio_frames_dropped_total", "source", "b", "reason", "global_budget")).isEqualTo(1);
      assertThat(s.count("sources_shed_total")).isEqualTo(1);
      assertThat(b.seen("status", "source_dropped")).isEmpty();

      // Restoring after the hold and below half the budget: SheddingPolicyTest, on a manual clock.
      engine.open();
      a.send("{\"type\":\"stop\"}");
      b.send("{\"type\":\"stop\"}");
      assertCounts(a.awaitType("stopped").path("stats"), 16, 1, 15);
      assertCounts(b.awaitType("stopped").path("stats"), 8, 7, 1);
      assertThat(server.scrape().count("sources_restored_total")).isZero();
    }
  }

  @Test
  void blockSessionsAreNeverShed() {
    GateEngine engine = new GateEngine();
    try (TestServer server = TestServer.start(engine,
            s -> s.withQueue(48, 0).withBudget(10 * CHUNK).withShedHold(Duration.ofMillis(300)));
        WsClient a = server.connect(); WsClient b = server.connect()) {
      a.send("{\"type\":\"start\",\"sources\":[\"a\"],\"overflow\":\"block\"}");
      a.awaitType("ready");
      for (int i = 0; i < 9; i++) {
        a.send(WsClient.audioJson("a", Pcm.chunk(i), -1));
      }
      awaitMetric(server, "audio_frames_received_total", 9, "source", "a");
      engine.awaitHeld(1); // a's first chunk is in a decoding turn; 8 are queued
      b.send(WsClient.audioJson("b", Pcm.chunk(0), -1));
      engine.awaitHeld(2);
      for (int i = 1; i < 4; i++) {
        b.send(WsClient.audioJson("b", Pcm.chunk(i), -1));
      }
      // The budget is spent by the block session, but only the drop_oldest source may be shed.
      assertThat(b.awaitStatus("source_dropped").path("source").asText()).isEqualTo("b");
      awaitMetric(server, "audio_frames_received_total", 4, "source", "b");
      assertThat(server.scrape().count("sources_shed_total")).isEqualTo(1);
      assertThat(a.seen("status", "source_dropped")).isEmpty();
      engine.open();
      a.send("{\"type\":\"stop\"}");
      assertCounts(a.awaitType("stopped").path("stats"), 9, 9, 0);
    }
  }
}
