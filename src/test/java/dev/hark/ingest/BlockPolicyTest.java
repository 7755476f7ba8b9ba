package dev.hark.ingest;

import static dev.hark.testing.Counts.assertCounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.testing.GateEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** {@code block} stops reading the socket: the client feels TCP push back and not one frame is lost. */
class BlockPolicyTest {
  static final int FRAME = 64 * 1024;

  @Test
  void fullQueueStopsReadingAndLosesNothing() throws Exception {
    GateEngine engine = new GateEngine();
    try (TestServer server = TestServer.start(engine, s -> s.withQueue(8, 0)); WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"block\"}");
      c.awaitType("ready");
      int sent = 0;
      CompletableFuture<?> pending = null;
      // Send until one send cannot complete: the server stopped reading and both socket buffers are full.
      while (sent < 2000) {
        pending = c.sendAsync(WsClient.audioJson("mic", Pcm.chunk(sent, FRAME), -1));
        try {
          pending.get(1500, TimeUnit.MILLISECONDS);
          sent++;
          pending = null;
        } catch (TimeoutException pushedBack) {
          break;
        }
      }
      assertThat(pending).as("TCP push back within 2000 frames of 64 KiB").isNotNull();
      JsonNode paused = c.awaitStatus("paused");
      assertThat(paused.path("dropped_frames").asLong()).isZero();
      Scrape during = server.scrape();
      assertThat(during.count("socket_read_pauses_total")).isGreaterThanOrEqualTo(1);
      assertThat(during.count("audio_frames_received_total", "source", "mic")).isLessThan(sent + 1);
      assertThat(during.count("audio_frames_dropped_total")).isZero();

      engine.open();
      pending.get(10, TimeUnit.SECONDS);
      sent++;
      for (int i = 0; i < 20; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(sent, FRAME), -1));
        sent++;
      }
      c.send("{\"type\":\"stop\"}");
      JsonNode stats = c.awaitType("stopped").path("stats");
      assertCounts(stats, sent, sent, 0);
      assertThat(engine.consumed()).hasSize(sent);
      for (int i = 0; i < sent; i++) {
        assertThat(Pcm.tag(engine.consumed().get(i))).isEqualTo(i & 0xffff);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> server.scrape().count("audio_buffered_bytes") == 0);
    }
  }

  @Test
  void aSlowRecognizerUnderBlockLosesNothing() {
    // Twice slower than real time, fed 2 s of audio as fast as TCP takes it: block must hold it all back.
    try (TestServer server = TestServer.startWithoutCapacityControl(new dev.hark.asr.NoneEngine(2.0),
        s -> s.withQueue(4, 0));
        WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\",\"system\"],\"overflow\":\"block\"}").awaitType("ready");
      for (int i = 0; i < 100; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
        c.send(WsClient.audioJson("system", Pcm.chunk(i), -1));
      }
      c.send("{\"type\":\"stop\"}");
      JsonNode stats = c.await(m -> "stopped".equals(m.path("type").asText()), Duration.ofSeconds(30)).path("stats");
      assertCounts(stats, 200, 200, 0);
      assertThat(server.scrape().count("audio_frames_consumed_total")).isEqualTo(200);
      assertThat(server.scrape().count("audio_frames_dropped_total")).isZero();
    }
  }
}
