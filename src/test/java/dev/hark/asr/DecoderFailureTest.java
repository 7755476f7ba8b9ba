package dev.hark.asr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.server.ServerConfig;
import dev.hark.testing.ChunkEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A recognizer that throws or hangs fails only its own source; a hung decoding thread is written off and replaced,
 * and the other streams, in the same session or another, carry on. Streams share the decoding threads in turns.
 */
class DecoderFailureTest {
  static final int THROW = 0xEE;
  static final int HANG = 0xDD;
  static final CountDownLatch NEVER = new CountDownLatch(1);

  /** Echoes a final transcript per 20 ms chunk; a chunk tagged THROW makes it throw, one tagged HANG hang. */
  static AsrEngine flaky() {
    return new ChunkEngine("flaky", (pcm, at, n, startMs, out) -> {
      int tag = (pcm[at] & 0xff) | (pcm[at + 1] & 0xff) << 8;
      if (tag == THROW) {
        throw new IllegalStateException("decoder failed on purpose");
      }
      if (tag == HANG) {
        hang();
      }
      out.onResult("chunk " + tag, true, startMs, startMs + 20, List.of());
    });
  }

  /** Like a native call that never returns: deaf to interrupts. */
  static void hang() {
    while (true) {
      try {
        NEVER.await();
      } catch (InterruptedException ignored) {
        // A stuck decoder does not notice being cancelled; that is the point of the test.
      }
    }
  }

  private static TestServer server(int threads, Duration stall) {
    ServerConfig d = ServerConfig.create(c -> c.resumeWindow = Duration.ofSeconds(1)); // a vanished client's too
    return TestServer.start(flaky(), d.withAsr(AsrSettings.defaults().withWorkers(threads).withStallTimeout(stall)));
  }

  @ParameterizedTest
  @ValueSource(ints = {THROW, HANG})
  void aFailingRecognizerHurtsOnlyItsSource(int fault) {
    try (TestServer server = server(2, Duration.ofMillis(500));
        WsClient victim = server.connect(); WsClient bystander = server.connect()) {
      victim.send("{\"type\":\"start\",\"sources\":[\"bad\",\"good\"]}");
      victim.awaitType("ready");
      victim.send(WsClient.audioJson("bad", Pcm.chunk(1), -1));
      victim.await(m -> m.path("text").asText().equals("chunk 1"), Duration.ofSeconds(10));
      victim.send(WsClient.audioJson("bad", Pcm.chunk(fault), -1));
      JsonNode err = victim.awaitError("asr_failed");
      assertThat(err.path("source").asText()).isEqualTo("bad");
      for (int i = 2; i < 6; i++) {
        victim.send(WsClient.audioJson("bad", Pcm.chunk(i), -1)); // counted as dropped for the failed recognizer
      }

      victim.send(WsClient.audioJson("good", Pcm.chunk(7), -1));
      victim.await(m -> m.path("text").asText().equals("chunk 7"), Duration.ofSeconds(10));
      bystander.send("{\"type\":\"start\",\"sources\":[\"mic\"]}");
      bystander.awaitType("ready");
      bystander.send(WsClient.audioJson("mic", Pcm.chunk(8), -1));
      bystander.await(m -> m.path("text").asText().equals("chunk 8"), Duration.ofSeconds(10));
      assertThat(bystander.seen("error", null)).isEmpty();

      victim.send("{\"type\":\"stop\"}");
      JsonNode bad = victim.awaitType("stopped").path("stats").path("sources").path("bad");
      assertThat(bad.path("frames_received").asLong()).isEqualTo(6);
      assertThat(bad.path("frames_received").asLong())
          .isEqualTo(bad.path("frames_accepted").asLong() + bad.path("frames_dropped").asLong());
      assertThat(bad.path("dropped_by_reason").path("asr_failed").asLong()).isEqualTo(4);
      var s = server.scrape();
      assertThat(s.count("asr_errors_total", "engine", "flaky")).isEqualTo(1);
      assertThat(s.count("asr_decoding_threads_written_off", "engine", "flaky")).isEqualTo(fault == HANG ? 1 : 0);
    }
  }

  @Test
  void streamsShareOneDecodingThreadInTurnsAndNoneWaitsForAnotherToEnd() {
    try (TestServer server = server(1, Duration.ofSeconds(5));
        WsClient first = server.connect(); WsClient second = server.connect()) {
      for (int i = 0; i < 3; i++) {
        int a = 100 + i;
        int b = 200 + i;
        first.send(WsClient.audioJson("mic", Pcm.chunk(a), -1));
        first.await(m -> m.path("text").asText().equals("chunk " + a), Duration.ofSeconds(5));
        second.send(WsClient.audioJson("mic", Pcm.chunk(b), -1));
        second.await(m -> m.path("text").asText().equals("chunk " + b), Duration.ofSeconds(5));
      }
      assertThat(server.scrape().count("asr_streams_active", "engine", "flaky")).isEqualTo(2);
    }
  }

  @Test
  void recognizersAreFreedWhenTheirStreamsEndHoweverTheyEnd() {
    try (TestServer server = server(2, Duration.ofSeconds(5))) {
      for (int round = 0; round < 20; round++) {
        WsClient c = server.connect();
        c.send(WsClient.audioJson("mic", Pcm.chunk(1), -1));
        c.await(m -> m.path("text").asText().equals("chunk 1"), Duration.ofSeconds(5));
        if (round % 2 == 0) {
          c.abort(); // vanishes
        } else {
          c.send("{\"type\":\"stop\"}").awaitType("stopped");
          c.close();
        }
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        var s = server.scrape();
        assertThat(s.count("asr_recognizers_live", "engine", "flaky")).isZero();
        assertThat(s.count("asr_streams_active", "engine", "flaky")).isZero();
        assertThat(s.count("source_streams_active")).isZero();
      });
      assertThat(server.scrape().count("asr_errors_total", "engine", "flaky")).isZero();
    }
  }
}
