package dev.hark.asr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.ingest.Chunk;
import dev.hark.ingest.PcmStream;
import dev.hark.testing.Pcm;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A decoder that throws or hangs fails only its own source; it is replaced and other sessions carry on. */
class DecoderFailureTest {
  static final int THROW = 0xEE;
  static final int HANG = 0xDD;
  static final CountDownLatch NEVER = new CountDownLatch(1);

  /** Echoes a final transcript per chunk; a chunk tagged THROW makes it throw, one tagged HANG makes it stop reading. */
  static final class Flaky implements Decoder {
    @Override
    public void decode(PcmStream audio, TranscriptListener out) {
      for (Chunk c = audio.nextChunk(); c != null; c = audio.nextChunk()) {
        int tag = Pcm.tag(c.pcm());
        if (tag == THROW) {
          throw new IllegalStateException("decoder failed on purpose");
        }
        if (tag == HANG) {
          hang();
        }
        out.onResult("chunk " + tag, true, c.startSample() / 16, (c.startSample() + c.samples()) / 16);
      }
    }
  }

  /** Like a decoder stuck in a loop: deaf to interrupts, never reading again. */
  static void hang() {
    while (true) {
      try {
        NEVER.await();
      } catch (InterruptedException ignored) {
        // A stuck decoder does not notice being cancelled; that is the point of the test.
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {THROW, HANG})
  void failingDecoderHurtsOnlyItsSourceAndIsReplaced(int fault) {
    AtomicInteger created = new AtomicInteger();
    try (TestServer server = TestServer.load(m -> new DecoderPool("flaky", () -> {
          created.incrementAndGet();
          return new Flaky();
        }, 2, new AsrSettings(2, 0, Duration.ofMillis(500)), m));
        WsClient victim = server.connect(); WsClient bystander = server.connect()) {
      victim.send("{\"type\":\"start\",\"sources\":[\"bad\",\"good\"]}");
      victim.awaitType("ready");
      victim.send(WsClient.audioJson("bad", Pcm.chunk(1), -1));
      victim.send(WsClient.audioJson("bad", Pcm.chunk(fault), -1));
      for (int i = 2; i < 6; i++) {
        victim.send(WsClient.audioJson("bad", Pcm.chunk(i), -1));
      }
      JsonNode err = victim.awaitError("asr_failed");
      assertThat(err.path("source").asText()).isEqualTo("bad");
      await().atMost(Duration.ofSeconds(10)).until(() -> created.get() == 3);

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
      assertThat(bad.path("dropped_by_reason").path("asr_failed").asLong()).isPositive();
      var s = server.scrape();
      assertThat(s.count("asr_errors_total", "engine", "flaky")).isEqualTo(1);
      assertThat(s.count("asr_decoders_replaced_total", "engine", "flaky")).isEqualTo(1);
    }
  }

  @Test
  void streamsWaitForAFreeDecoderAndAreTold() {
    try (TestServer server = TestServer.load(m -> new DecoderPool("one", Flaky::new, 1,
            new AsrSettings(1, 0, Duration.ofSeconds(5)), m));
        WsClient first = server.connect(); WsClient second = server.connect()) {
      first.send(WsClient.audioJson("mic", Pcm.chunk(1), -1));
      first.await(m -> m.path("text").asText().equals("chunk 1"), Duration.ofSeconds(5));
      second.send(WsClient.audioJson("mic", Pcm.chunk(2), -1));
      assertThat(second.awaitStatus("waiting_for_decoder").path("source").asText()).isEqualTo("mic");
      assertThat(server.scrape().count("asr_decoders_busy", "engine", "one")).isEqualTo(1);
      first.send("{\"type\":\"stop\"}");
      first.awaitType("stopped");
      second.awaitStatus("decoding");
      second.await(m -> m.path("text").asText().equals("chunk 2"), Duration.ofSeconds(5));
    }
  }

  @Test
  void aClientThatVanishesMidStreamCostsNoDecoder() {
    // Reloading a decoder costs seconds of CPU: a client that connects and drops must not be able to force it.
    AtomicInteger created = new AtomicInteger();
    try (TestServer server = TestServer.load(m -> new DecoderPool("steady", () -> {
          created.incrementAndGet();
          return new Flaky();
        }, 1, new AsrSettings(1, 0, Duration.ofSeconds(5)), m))) {
      for (int round = 0; round < 3; round++) {
        WsClient c = server.connect();
        c.send(WsClient.audioJson("mic", Pcm.chunk(1), -1));
        c.await(m -> m.path("text").asText().equals("chunk 1"), Duration.ofSeconds(5));
        c.abort();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.scrape().count("asr_decoders_idle", "engine", "steady") == 1);
      }
      var s = server.scrape();
      assertThat(s.count("asr_decoders_replaced_total", "engine", "steady")).isZero();
      assertThat(s.count("asr_errors_total", "engine", "steady")).isZero();
      assertThat(created.get()).isEqualTo(1);
    }
  }
}
