package dev.hark.asr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.server.ServerConfig;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Overload rehearsed with {@code --asr none --none-rtf}: one decoding thread that spends {@code rtf} seconds per
 * second of audio. Past capacity whole sources are shed (lowest priority, then newest), told with their reason; the
 * sources kept lose nothing; new sessions get 503 and {@code /readyz} says why; when load falls, shed sources come
 * back.
 */
class CapacityTest {
  private static TestServer server(double rtf) {
    ServerConfig d = ServerConfig.defaults();
    return TestServer.start(new NoneEngine(rtf), d
        .withAsr(d.asr().withWorkers(1).withShedding(300, true))
        // A 3 s queue and a 300 ms hold: shedding, not queue overflow, is what this test sees.
        .withIngest(d.ingest().withQueue(150, 0).withShedHold(Duration.ofMillis(300))));
  }

  /** Streams 20 ms chunks of every source in real time until told to stop. */
  private static Thread stream(WsClient c, AtomicBoolean stop, String... sources) {
    return Thread.ofVirtual().start(() -> {
      long t0 = System.nanoTime();
      for (int n = 0; !stop.get() && n < 1000; n++) {
        for (String s : sources) {
          c.sendAsync(WsClient.audioJson(s, Pcm.chunk(n), n)).join();
        }
        long wait = t0 + (n + 1) * 20_000_000L - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    });
  }

  private static JsonNode stopped(WsClient c) {
    c.send("{\"type\":\"stop\"}");
    return c.await(m -> m.path("type").asText().equals("stopped"), Duration.ofSeconds(30)).path("stats");
  }

  @Test
  void pastCapacityWholeSourcesAreShedAndToldAndTheKeptOnesLoseNothing() throws Exception {
    // 0.4 s of decoding per second of audio on one thread: two real-time streams fit, four do not.
    try (TestServer server = server(0.4)) {
      List<WsClient> clients = new ArrayList<>();
      List<AtomicBoolean> stops = new ArrayList<>();
      List<Thread> senders = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        WsClient c = server.connect();
        c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
        AtomicBoolean stop = new AtomicBoolean();
        clients.add(c);
        stops.add(stop);
        senders.add(stream(c, stop, "mic"));
        Thread.sleep(200);
      }
      // The newest two go, one at a time; the oldest two stay.
      JsonNode shedLast = clients.get(3).awaitStatus("source_dropped", Duration.ofSeconds(10));
      assertThat(shedLast.path("reason").asText()).isEqualTo("asr_capacity");
      assertThat(clients.get(2).awaitStatus("source_dropped", Duration.ofSeconds(10)).path("reason").asText())
          .isEqualTo("asr_capacity");
      await().atMost(Duration.ofSeconds(5)).until(() -> Scrape.get(server.port(), "/readyz").statusCode() == 503);
      assertThat(Scrape.get(server.port(), "/readyz").body()).contains("at_capacity");
      assertThat(Scrape.get(server.port(), "/capacity").body()).contains("\"at_capacity\":true");
      try {
        server.connect().close();
        throw new AssertionError("a session was taken at capacity");
      } catch (CompletionException e) {
        assertThat(e.getCause()).isInstanceOfSatisfying(WebSocketHandshakeException.class,
            h -> assertThat(h.getResponse().statusCode()).isEqualTo(503));
      }
      Thread.sleep(1000);
      assertThat(clients.get(0).seen("status", "source_dropped")).isEmpty();
      assertThat(clients.get(1).seen("status", "source_dropped")).isEmpty();

      // Load falls: the first two stop, and the shed sources come back.
      stops.get(0).set(true);
      stops.get(1).set(true);
      senders.get(0).join();
      senders.get(1).join();
      JsonNode kept0 = stopped(clients.get(0));
      JsonNode kept1 = stopped(clients.get(1));
      clients.get(3).awaitStatus("source_restored", Duration.ofSeconds(10));
      clients.get(2).awaitStatus("source_restored", Duration.ofSeconds(10));
      for (JsonNode kept : List.of(kept0, kept1)) {
        assertThat(kept.path("frames_dropped").asLong()).as("a kept source loses nothing").isZero();
        assertThat(kept.path("frames_received").asLong()).isPositive();
      }
      stops.get(2).set(true);
      stops.get(3).set(true);
      senders.get(2).join();
      senders.get(3).join();
      JsonNode shed = stopped(clients.get(3)).path("sources").path("mic");
      assertThat(shed.path("dropped_by_reason").path("source_shed").asLong()).isPositive();
      assertThat(shed.path("frames_received").asLong())
          .isEqualTo(shed.path("frames_accepted").asLong() + shed.path("frames_dropped").asLong());
      Scrape m = server.scrape();
      assertThat(m.count("sources_shed_total", "reason", "asr_capacity")).isEqualTo(2);
      assertThat(m.count("sessions_refused_total", "reason", "asr_capacity")).isEqualTo(1);
      clients.forEach(WsClient::close);
    }
  }

  @Test
  void aLowerPrioritySourceIsShedFirstEvenIfOlder() throws Exception {
    // 0.6 s per second of audio: one stream fits, two do not.
    try (TestServer server = server(0.6); WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"system\",\"mic\"],\"priority\":{\"mic\":2,\"system\":1}}")
          .awaitType("ready");
      AtomicBoolean stop = new AtomicBoolean();
      Thread sender = stream(c, stop, "system", "mic");
      JsonNode shed = c.awaitStatus("source_dropped", Duration.ofSeconds(10));
      assertThat(shed.path("source").asText()).isEqualTo("system");
      assertThat(shed.path("reason").asText()).isEqualTo("asr_capacity");
      Thread.sleep(1000);
      stop.set(true);
      sender.join();
      JsonNode stats = stopped(c).path("sources");
      assertThat(stats.path("mic").path("frames_dropped").asLong()).isZero();
      assertThat(c.seen("status", "source_dropped")).hasSize(1);
    }
  }
}
