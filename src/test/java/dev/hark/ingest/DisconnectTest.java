package dev.hark.ingest;

import static dev.hark.testing.Counts.awaitMetric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hark.server.ServerConfig;
import dev.hark.testing.GateEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A client that vanishes mid-stream frees its session: slot, queues, buffered bytes and consumer threads. */
class DisconnectTest {

  @ParameterizedTest
  @ValueSource(strings = {"drop_oldest", "block"})
  void abortMidStreamFreesEverythingOnceTheResumeWindowPasses(String policy) {
    GateEngine engine = new GateEngine();
    ServerConfig config = ServerConfig.create(c -> {
      c.ingest = c.ingest.withQueue(8, 0);
      c.resumeWindow = Duration.ofSeconds(1);
    });
    try (TestServer server = TestServer.start(engine, config)) {
      WsClient c = server.connect();
      c.send("{\"type\":\"start\",\"sources\":[\"mic\",\"system\"],\"overflow\":\"" + policy + "\"}");
      c.awaitType("ready");
      for (int i = 0; i < 5; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
        c.send(WsClient.audioJson("system", Pcm.chunk(i), -1));
      }
      awaitMetric(server, "audio_frames_received_total", 10);
      engine.awaitHeld(2); // each source's first chunk is in a decoding turn, stalled at the gate
      Scrape during = server.scrape();
      assertThat(during.count("sessions_active")).isEqualTo(1);
      assertThat(during.count("source_streams_active")).isEqualTo(2);
      assertThat(during.count("audio_buffered_bytes")).isEqualTo(8 * 640);

      c.abort();
      // The session waits for a resume, still holding its slot and its queued audio; then it ends.
      await().atMost(Duration.ofSeconds(5)).until(() -> server.scrape().count("sessions_awaiting_resume") == 1);
      assertThat(server.scrape().count("sessions_active")).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.scrape().count("sessions_active") == 0);
      assertThat(server.scrape().count("sessions_resumes_total", "outcome", "expired")).isEqualTo(1);
      engine.open(); // now the stalled turns return; the streams, finished, end

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Scrape s = server.scrape();
        assertThat(s.count("sessions_active")).isZero();
        assertThat(s.count("source_queues_active")).isZero();
        assertThat(s.count("source_streams_active")).isZero();
        assertThat(s.count("audio_buffered_bytes")).isZero();
        assertThat(s.count("audio_frames_dropped_total", "reason", "session_closed")).isEqualTo(8);
        assertThat(s.count("asr_recognizers_live")).isZero();
      });
    }
  }

  @Test
  void cleanStopAlsoFreesEverything() {
    try (TestServer server = TestServer.start(new dev.hark.asr.NoneEngine(0))) {
      try (WsClient c = server.connect()) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(1), -1));
        c.send("{\"type\":\"stop\"}");
        c.awaitType("stopped");
        c.awaitClose();
      }
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        Scrape s = server.scrape();
        assertThat(s.count("sessions_active")).isZero();
        assertThat(s.count("source_streams_active")).isZero();
      });
    }
  }
}
