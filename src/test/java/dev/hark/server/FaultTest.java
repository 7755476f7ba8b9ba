package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hark.asr.AsrEngine;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.ChunkEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.RawHttp;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clients that misbehave: slow upgrades, silence without FIN, never reading, vanishing mid-stream. Nothing leaks. */
class FaultTest {
  /** A lost connection's session waits a second for a resume, then ends: the tests see it gone soon after. */
  private static final ServerConfig ONE_SECOND_RESUME =
      ServerConfig.create(c -> c.resumeWindow = Duration.ofSeconds(1));
  private static final ServerConfig ONE_SECOND_IDLE = ONE_SECOND_RESUME.withIdleTimeout(Duration.ofSeconds(1));

  /** Sessions, queues and recognition threads are all gone. */
  private static void assertNothingLeft(TestServer server) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Scrape m = server.scrape();
      assertThat(m.count("sessions_active")).isZero();
      assertThat(m.count("source_queues_active")).isZero();
      assertThat(m.count("source_streams_active")).isZero();
      assertThat(m.count("audio_buffered_bytes")).isZero();
    });
  }

  private static Socket upgraded(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port));
    s.setSoTimeout(15_000);
    s.getOutputStream().write(RawHttp.upgradeRequest(port).getBytes(StandardCharsets.US_ASCII));
    assertThat(RawHttp.readHead(s.getInputStream()).get(0)).startsWith("HTTP/1.1 101");
    return s;
  }

  @Test
  void aSlowlorisUpgradeIsCutOffAtTheRequestDeadline() throws Exception {
    // Bytes every 200 ms keep the connection from being idle (3 s); only the 1 s request deadline can end it.
    ServerConfig config = ServerConfig.defaults().withIdleTimeout(Duration.ofSeconds(3))
        .withRequestTimeout(Duration.ofSeconds(1));
    try (TestServer server = TestServer.start(new NoneEngine(0), config);
        Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(200);
      OutputStream out = s.getOutputStream();
      out.write("GET /ws/live HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      long t0 = System.nanoTime();
      boolean closed = false;
      // A header line every 200 ms: never idle for the idle timeout, never finishing the request.
      for (int i = 0; i < 50 && !closed; i++) {
        try {
          out.write(("X-Slow-" + i + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
          closed = s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
          // still open
        } catch (IOException e) {
          closed = true; // reset by the server
        }
      }
      assertThat(closed).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(server.scrape().count("connections_closed_total", "reason", "slow_request")).isEqualTo(1);
      assertThat(server.scrape().count("connections_idle_closed_total")).isZero();
    }
  }

  @Test
  void aSilentPeerWithoutFinIsClosedAtTheIdleTimeoutAndLeavesNothing() throws Exception {
    try (TestServer server = TestServer.start(new NoneEngine(0), ONE_SECOND_IDLE); Socket s = upgraded(server.port())) {
      RawHttp.writeText(s.getOutputStream(), "{\"type\":\"start\",\"sources\":[\"mic\",\"system\"]}");
      RawHttp.writeText(s.getOutputStream(), WsClient.audioJson("mic", Pcm.chunk(1), -1));
      await().until(() -> server.scrape().count("source_streams_active") == 2);
      // Now the peer is gone without a FIN (as a cable pulled): it neither sends nor closes.
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // the server's ready, then its close frame, then EOF
      }
      assertThat(server.scrape().count("connections_idle_closed_total")).isEqualTo(1);
      assertNothingLeft(server);
    }
  }

  @Test
  void aClientThatVanishesMidStreamLeavesNothing() {
    try (TestServer server = TestServer.start(new NoneEngine(1.0), ONE_SECOND_RESUME); WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      for (int i = 0; i < 30; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
      }
      c.abort();
      assertNothingLeft(server);
    }
  }

  /** Says a long final transcript for every 20 ms chunk: output a client must read (32 KB a chunk). */
  private static final String LONG_TEXT = "word ".repeat(6400);

  private static AsrEngine chatty() {
    return new ChunkEngine("chatty", (pcm, at, n, startMs, out) -> out.onResult(LONG_TEXT, true, 0, 20, List.of()));
  }

  @Test
  void aClientThatNeverReadsIsClosedAtABoundWhileOthersGoOn() throws Exception {
    // No rate limit here: this client floods on purpose, and every message must make output.
    ServerConfig config = ServerConfig.defaults().withSessionLimits(Duration.ofHours(1), 1_000_000);
    try (TestServer server = TestServer.start(chatty(), config)) {
      Socket s = new Socket();
      s.setReceiveBufferSize(4096); // before connect, so the window stays small
      s.connect(new InetSocketAddress("127.0.0.1", server.port()));
      s.getOutputStream().write(RawHttp.upgradeRequest(server.port()).getBytes(StandardCharsets.US_ASCII));
      RawHttp.readHead(s.getInputStream()); // the 101; from here on this client reads nothing
      OutputStream out = s.getOutputStream();
      // block: no chunk is dropped, so every chunk makes its transcript.
      // block: no chunk is dropped, so every chunk makes its transcript.
      RawHttp.writeText(out, "{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"block\"}");
      try (WsClient other = server.connect()) {
        other.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
        try {
          for (int i = 0; i < 5000; i++) {
            if (i % 100 == 0 && server.scrape().count("connections_closed_total", "reason", "unread") > 0) {
              break;
            }
            RawHttp.writeText(out, WsClient.audioJson("mic", Pcm.chunk(i), -1));
            if (i % 100 == 0) {
              other.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
              other.await(m -> "transcript".equals(m.path("type").asText()), Duration.ofSeconds(10));
            }
          }
        } catch (IOException e) {
          // the server closed the non-reading connection under us
        }
        await().atMost(Duration.ofSeconds(30)).until(
            () -> server.scrape().count("connections_closed_total", "reason", "unread") == 1);
        other.send("{\"type\":\"ping\"}").awaitType("pong");
      }
      s.close();
      assertNothingLeft(server);
    }
  }
}
