package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.ingest.SourceQueue;
import dev.hark.testing.GateEngine;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deepgram's {@code Finalize} sent back to back, on a real server whose recognizer is held at a gate so that every
 * one is pending at once: each gets exactly one answer, a result marked {@code from_finalize} (empty when there was
 * nothing to say) or, past the 16 a source may have pending, a Deepgram-shaped {@code Error}.
 */
class DeepgramFinalizeTest {
  private static boolean isType(JsonNode m, String type) {
    return m.path("type").asText().equals(type);
  }

  /** Sends {@code n} Finalize at once and returns what answered them: results from Finalize, then errors. */
  private static long[] finalizeBackToBack(int n) {
    GateEngine gate = new GateEngine();
    try (TestServer server = TestServer.start(gate);
        WsClient c = WsClient.connect(server.port(), DeepgramDialect.PATH + "?sample_rate=16000", List.of())) {
      c.sendBinary(new byte[640]).sendBinary(new byte[640]);
      gate.awaitHeld(1); // the first chunk is in its turn, the second queued: no flush is due before the gate opens
      for (int i = 0; i < n; i++) {
        c.send("{\"type\":\"Finalize\"}");
      }
      int refused = Math.max(0, n - SourceQueue.MAX_FLUSHES);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> c.seen().stream().filter(m -> isType(m, "Error")).count() == refused);
      gate.open();
      c.send("{\"type\":\"CloseStream\"}");
      c.await(m -> isType(m, "Metadata"), Duration.ofSeconds(20));
      assertThat(c.awaitClose()).isEqualTo(1000);
      List<JsonNode> results = c.seen().stream().filter(m -> isType(m, "Results")).toList();
      assertThat(results).as("only Finalize made results").allMatch(m -> m.path("from_finalize").asBoolean());
      List<JsonNode> errors = c.seen().stream().filter(m -> isType(m, "Error")).toList();
      assertThat(errors).allMatch(m -> m.path("code").asText().equals("bad_state")
          && m.path("description").asText().contains("Finalize"));
      assertThat(server.scrape().count("protocol_errors_total", "code", "bad_state")).isEqualTo(errors.size());
      return new long[] {results.size(), errors.size()};
    }
  }

  @Test
  void tenFinalizeAtOnceGetTenResults() {
    assertThat(finalizeBackToBack(10)).containsExactly(10, 0);
  }

  @Test
  void fortyFinalizeAtOnceGetSixteenResultsAndTwentyFourErrors() {
    assertThat(finalizeBackToBack(40)).containsExactly(16, 24);
  }
}
