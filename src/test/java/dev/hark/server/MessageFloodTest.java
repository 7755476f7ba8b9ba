package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hark.asr.NoneEngine;
import dev.hark.testing.Attacker;
import dev.hark.testing.GoodClient;
import dev.hark.testing.MemoryProbe;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import io.netty.util.ResourceLeakDetector;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A session that sends far over its message rate: what the rate limit drops costs no copy, and a flood (more than
 * twice the rate dropped within a second) closes the connection with 1008, counted, while another session goes on.
 */
class MessageFloodTest {
  private static final long MB = 1 << 20;

  /** Heap bytes allocated so far by the server's I/O threads (the JVM counts them per thread). */
  private static long ioThreadAllocations() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().toLowerCase(Locale.ROOT).contains("eventloop")) {
        sum += threads.getThreadAllocatedBytes(info.getThreadId());
      }
    }
    return sum;
  }

  @Test
  void framesOverTheRateAreDroppedWithoutACopyAndAFloodIsCutOff() throws Exception {
    try (TestServer server = TestServer.start(new NoneEngine(0)); MemoryProbe memory = MemoryProbe.start();
        Attacker attacker = Attacker.upgraded(server.port())) {
      attacker.send(Attacker.frame(0x1, "{\"type\":\"start\",\"sources\":[\"mic\"]}".getBytes(StandardCharsets.UTF_8)));
      var good = GoodClient.stream(server.port(), 100);
      byte[] pcm = Pcm.chunk(7, 32 * 1024);
      byte[] binary = new byte[pcm.length + 1]; // source index 0, then 32 KiB of PCM
      System.arraycopy(pcm, 0, binary, 1, pcm.length);
      byte[] text = WsClient.audioJson("mic", Pcm.chunk(8, 24 * 1024), -1).getBytes(StandardCharsets.UTF_8);
      byte[] pair = concat(Attacker.frame(0x2, binary), Attacker.frame(0x1, text));
      // The paranoid leak detector records a stack trace at every touch of every buffer, tens of KB a frame, which
      // would hide what this test measures; it is off for the flood alone.
      ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
      long allocBefore = ioThreadAllocations();
      long sent;
      try {
        sent = attacker.flood(pair, 256 * MB, 10);
      } finally {
        ResourceLeakDetector.setLevel(level);
      }
      long allocated = ioThreadAllocations() - allocBefore;
      await().atMost(Duration.ofSeconds(15))
          .until(() -> server.scrape().count("connections_closed_total", "reason", "flood") == 1);
      assertThat(attacker.closedByServer(5)).as("attacker cut off").isTrue();
      Scrape m = server.scrape();
      long limited = m.count("protocol_errors_total", "code", "rate_limited");
      String figures = memory.report(sent / MB + " MB of 32 KiB frames over the rate") + String.format(
          "; %d frames rate-limited, I/O threads allocated %.1f MB (%.0f bytes a frame)", limited, allocated / 1e6,
          (double) allocated / Math.max(1, limited));
      System.out.println(figures);
      assertThat(good.get(30, TimeUnit.SECONDS)).isNotNull();
      assertThat(m.count("connections_closed_total", "reason", "flood")).isEqualTo(1);
      assertThat(limited).isGreaterThan(1000);
      // A frame taken in is copied out of its buffer once (its 24-32 KiB of PCM, under 48 KiB with its decoding);
      // one dropped by the rate limit is not copied at all (under 1 KiB each).
      long taken = m.count("audio_frames_received_total", "source", "mic");
      assertThat(allocated).as(figures + "; frames taken in: " + taken).isLessThan(taken * 48 * 1024 + limited * 1024);
      // Frames are read into pooled buffers and freed at once; the pool grows in chunks of a few MiB.
      assertThat(memory.directGrowth()).as(figures).isLessThan(32 * MB);
      assertThat(memory.heapGrowth()).as(figures).isLessThan(32 * MB);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

}
