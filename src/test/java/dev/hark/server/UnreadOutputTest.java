package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hark.asr.NoneEngine;
import dev.hark.testing.Attacker;
import dev.hark.testing.GoodClient;
import dev.hark.testing.MemoryProbe;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients that make the server write and never read: WebSocket pings (answered by pongs) and pipelined HTTP
 * requests. Every byte the server writes counts against the connection's unread-output bound, so off-heap memory
 * stays bounded, the attacker is cut off and counted, and a well-behaved session beside it loses nothing.
 */
class UnreadOutputTest {
  private static final long MB = 1 << 20;

  @Test
  void pingsFromAClientThatNeverReadsAreBoundedAndTheFloodIsCutOff() throws Exception {
    try (TestServer server = TestServer.start(new NoneEngine(0)); MemoryProbe memory = MemoryProbe.start();
        Attacker attacker = Attacker.upgraded(server.port())) {
      var good = GoodClient.stream(server.port(), 100);
      byte[] ping = Attacker.frame(0x9, new byte[125]); // the largest control frame
      long sent = attacker.flood(ping, 64 * MB, 8);
      String figures = memory.report("64 MB of pings, never reading");
      System.out.println(figures + "; " + sent / MB + " MB written before the server cut the connection");
      awaitClosed(server, attacker, "flood");
      assertThat(good.get(30, TimeUnit.SECONDS)).isNotNull();
      Scrape m = server.scrape();
      assertThat(m.count("server_messages_dropped_total", "type", "pong_frame")).isGreaterThan(1000);
      assertThat(memory.directGrowth()).as(figures).isLessThan(16 * MB);
      assertThat(memory.heapGrowth()).as(figures).isLessThan(32 * MB);
    }
  }

  @Test
  void pingsWithinTheRateFromAClientThatNeverReadsCostOnlyDroppedPongs() throws Exception {
    // A rate so high that every ping is within it: only the bound on unread output stands in the way.
    ServerConfig config = ServerConfig.defaults().withSessionLimits(Duration.ofHours(1), 1_000_000);
    try (TestServer server = TestServer.start(new NoneEngine(0), config); MemoryProbe memory = MemoryProbe.start();
        Attacker attacker = Attacker.upgraded(server.port())) {
      var good = GoodClient.stream(server.port(), 100);
      long sent = attacker.flood(Attacker.frame(0x9, new byte[125]), 32 * MB, 10);
      String figures = memory.report(sent / MB + " MB of pings within the rate, never reading");
      System.out.println(figures);
      assertThat(good.get(30, TimeUnit.SECONDS)).isNotNull();
      Scrape m = server.scrape();
      // Past 64 KiB unsent, pongs are dropped like any other droppable message; nothing else piles up.
      assertThat(m.count("server_messages_dropped_total", "type", "pong_frame")).isPositive();
      assertThat(m.count("connections_closed_total", "reason", "unread")).isZero();
      assertThat(memory.directGrowth()).as(figures).isLessThan(16 * MB);
      assertThat(memory.heapGrowth()).as(figures).isLessThan(32 * MB);
    }
  }

  /** The server counts the attacker's connection as closed for {@code reason}, and it is. */
  private static void awaitClosed(TestServer server, Attacker attacker, String reason) {
    await().atMost(Duration.ofSeconds(15))
        .until(() -> server.scrape().count("connections_closed_total", "reason", reason) == 1);
    assertThat(attacker.closedByServer(5)).as("attacker cut off").isTrue();
  }

  private static void pipelinedRequestsNeverRead(String path, int kilobytes) throws Exception {
    try (TestServer server = TestServer.start(new NoneEngine(0)); MemoryProbe memory = MemoryProbe.start();
        Attacker attacker = Attacker.connect(server.port())) {
      var good = GoodClient.stream(server.port(), 100);
      byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      long sent = attacker.flood(request, kilobytes * 1024L, 5);
      String figures = memory.report(kilobytes + " KB of pipelined GET " + path + ", never reading");
      System.out.println(figures + "; " + sent / 1024 + " KB written");
      awaitClosed(server, attacker, "pipeline");
      assertThat(good.get(30, TimeUnit.SECONDS)).isNotNull();
      assertThat(memory.directGrowth()).as(figures).isLessThan(8 * MB);
      assertThat(memory.heapGrowth()).as(figures).isLessThan(32 * MB);
    }
  }

  @Test
  void pipelinedPageRequestsNeverReadAreCutOff() throws Exception {
    pipelinedRequestsNeverRead("/app.js", 132);
  }

  @Test
  void pipelinedScrapesNeverReadAreCutOff() throws Exception {
    pipelinedRequestsNeverRead("/metrics", 68);
  }
}
