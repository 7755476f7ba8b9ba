package dev.hark.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A well-behaved client that streams while an attack runs: it starts a session, sends {@code chunks} paced chunks
 * with {@code seq}, stops, and checks that every one of them is accounted for in {@code stopped}.
 */
public final class GoodClient {
  private GoodClient() {}

  /** Runs the session on its own thread; the future fails if any chunk is unaccounted for. */
  public static CompletableFuture<JsonNode> stream(int port, int chunks) {
    CompletableFuture<JsonNode> done = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try (WsClient c = WsClient.connect(port)) {
        c.send("{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"block\"}").awaitType("ready");
        for (int i = 0; i < chunks; i++) {
          c.send(WsClient.audioJson("mic", Pcm.chunk(i), i));
          Thread.sleep(5);
        }
        c.send("{\"type\":\"stop\"}");
        JsonNode stats = c.await(m -> "stopped".equals(m.path("type").asText()), Duration.ofSeconds(30))
            .path("stats");
        assertThat(stats.path("frames_received").asLong()).as("frames received").isEqualTo(chunks);
        assertThat(stats.path("frames_accepted").asLong() + stats.path("frames_dropped").asLong())
            .as("accepted + dropped").isEqualTo(chunks);
        assertThat(stats.path("frames_dropped").asLong()).as("dropped (block policy)").isZero();
        assertThat(c.seen("error", null)).as("errors").isEmpty();
        done.complete(stats);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    });
    return done;
  }
}
