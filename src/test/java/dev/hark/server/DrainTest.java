package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.AsrEngine;
import dev.hark.testing.ChunkEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A graceful shutdown: closing, queued audio recognized up to the drain timeout, finals, stopped, then 1001. */
class DrainTest {
  /** Reads each 20 ms chunk slowly and, at the end of the stream, says how many it heard. */
  private static AsrEngine counting(long msPerChunk) {
    return new ChunkEngine("counting", (pcm, at, n, startMs, out) -> Thread.sleep(msPerChunk),
        (chunks, out) -> out.onResult("heard " + chunks + " chunks", true, 0, chunks * 20L, List.of()));
  }

  /** Starts a one-source session and queues {@code n} chunks, all read by the server when this returns. */
  private static void queueChunks(WsClient c, int n) {
    c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
    for (int i = 0; i < n; i++) {
      c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
    }
    c.send("{\"type\":\"ping\"}").awaitType("pong");
  }

  @Test
  void shutdownDrainsQueuedAudioIntoTheRecognizerAndSendsFinals() {
    ServerConfig config = ServerConfig.defaults().withDrainTimeout(Duration.ofSeconds(10));
    TestServer server = TestServer.start(counting(25), config);
    try (WsClient c = server.connect()) {
      queueChunks(c, 40);
      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server.server()::shutdown);
      JsonNode closing = c.awaitStatus("closing");
      assertThat(closing.path("reason").asText()).isEqualTo("shutdown");
      assertThat(closing.path("drain_ms").asLong()).isEqualTo(10_000);
      // While it drains: not ready, and no new sessions.
      assertThat(Scrape.get(server.port(), "/readyz").statusCode()).isEqualTo(503);
      assertThatThrownBy(server::connect).cause().isInstanceOfSatisfying(
          WebSocketHandshakeException.class,
              e -> assertThat(e.getResponse().statusCode()).isEqualTo(503));
      JsonNode fin = c.await(m -> "transcript".equals(m.path("type").asText()), Duration.ofSeconds(10));
      assertThat(fin.path("text").asText()).isEqualTo("heard 40 chunks");
      JsonNode stats = c.awaitType("stopped").path("stats");
      assertThat(stats.path("frames_accepted").asLong()).isEqualTo(40);
      assertThat(stats.path("frames_dropped").asLong()).isZero();
      assertThat(c.awaitClose()).isEqualTo(1001);
      shutdown.join();
    }
  }

  @Test
  void audioStillQueuedAtTheDrainDeadlineIsDroppedAndTheSocketClosed() {
    ServerConfig config = ServerConfig.defaults().withDrainTimeout(Duration.ofMillis(300));
    TestServer server = TestServer.start(counting(1000), config);
    try (WsClient c = server.connect()) {
      queueChunks(c, 10);
      long t0 = System.nanoTime();
      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server.server()::shutdown);
      c.awaitStatus("closing");
      assertThat(c.awaitClose()).isEqualTo(1001);
      assertThat(c.closeReason()).isEqualTo("shutdown: drain timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      shutdown.join();
    }
  }
}
