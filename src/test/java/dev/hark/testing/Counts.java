package dev.hark.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** The conservation law every end-to-end test checks, and waiting for the server's own count of something. */
public final class Counts {
  private Counts() {}

  /** A source's {@code stopped} totals: these counts, and received = accepted + dropped. */
  public static void assertCounts(JsonNode stats, long received, long accepted, long dropped) {
    assertThat(stats.path("frames_received").asLong()).isEqualTo(received);
    assertThat(stats.path("frames_accepted").asLong()).isEqualTo(accepted);
    assertThat(stats.path("frames_dropped").asLong()).isEqualTo(dropped);
    assertThat(received).isEqualTo(accepted + dropped);
  }

  /** Waits (up to 10 s) until the server's {@code /metrics} counts {@code value} for {@code name}. */
  public static void awaitMetric(TestServer server, String name, long value, String... labels) {
    await().atMost(Duration.ofSeconds(10)).until(() -> server.scrape().count(name, labels) == value);
  }
}
