package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hark.asr.AsrEngine;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.ChunkEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.RawHttp;
import dev.hark.testing.RawWs;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clients that misbehave: slow upgrades, silence without FIN, never reading, vanishing mid-stream. Nothing leaks. */
class FaultTest {
  private static final ObjectMapper JSON = new ObjectMapper();
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

  /** Opens a session from 127.0.0.1 and drops its connection without a close frame: the session waits. */
  private static JsonNode openAndDrop(int port) throws Exception {
    try (RawWs ws = new RawWs("127.0.0.1", port, "/ws/live")) {
      ws.text("{\"type\":\"start\",\"sources\":[\"mic\"]}");
      return JSON.readTree(ws.next(10).text());
    }
  }

  private static String resume(JsonNode ready, String token) {
    return "{\"type\":\"start\",\"resume\":{\"session_id\":\"" + ready.path("session_id").asText()
        + "\",\"token\":\"" + token + "\"}}";
  }

  private static String upgradeFrom(String address, int port) {
    return RawHttp.upgradeFrom(address, port, "/ws/live").getFirst();
  }

  /**
   * One address that opens its share of sessions and drops them, four times over, held every slot of the server
   * for the resume window. Sessions waiting for a resume count against the address that made them now: past its
   * share it gets 429 while another address still gets in; it still resumes its own at its share (a resume takes
   * a session up, it adds none), and a resumed session counts against the address that resumed it.
   */
  @Test
  void anAddressThatDropsItsSessionsHoldsNoMoreThanItsShare() throws Exception {
    ServerConfig d = ServerConfig.defaults();
    ServerConfig config = d.withAccess(new AccessSettings(null, List.of(), 4, false))
        .withIngest(d.ingest().withLimits(4, 16));
    try (TestServer server = TestServer.start(new NoneEngine(0), config)) {
      int port = server.port();
      List<JsonNode> waiting = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        try {
          waiting.add(openAndDrop(port));
        } catch (IOException e) {
          assertThat(e).hasMessageContaining(" 429 ");
        }
      }
      assertThat(waiting).hasSize(4);
      assertThat(server.scrape().count("sessions_refused_total", "reason", "per_ip")).isEqualTo(12);
      await().until(() -> server.scrape().count("sessions_awaiting_resume") == 4);
      assertThat(upgradeFrom("127.0.0.2", port)).contains(" 101 ");

      try (RawWs back = new RawWs("127.0.0.1", port, "/ws/live?resume=" + waiting.get(0).path("session_id").asText())) {
        back.text(resume(waiting.get(0), waiting.get(0).path("resume_token").asText()));
        assertThat(JSON.readTree(back.next(10).text()).path("resumed").asBoolean()).isTrue();
        assertThat(upgradeFrom("127.0.0.1", port)).as("resumed, it still counts").contains(" 429 ");
        back.text("{\"type\":\"stop\"}");
      }
      // The stopped session's slot comes back once the server has seen the connection end; a probe of its own
      // would hold it a moment too, so the connection that takes it is the one retried.
      try (RawWs open = await().ignoreExceptions().until(() -> new RawWs("127.0.0.1", port, "/ws/live"), w -> true)) {
        open.text("{\"type\":\"ping\"}");
        assertThat(open.next(10).text()).contains("pong");
        // At its share again (three waiting, one open): a resume with a wrong token is refused, and the connection,
        // let in on the waiting session's slot, has none of its own to go on with.
        RawWs wrong = new RawWs("127.0.0.1", port, "/ws/live?resume=" + waiting.get(1).path("session_id").asText());
        wrong.text(resume(waiting.get(1), "not-the-token"));
        assertThat(JSON.readTree(wrong.next(10).text()).path("code").asText()).isEqualTo("resume_denied");
        assertThat(wrong.next(10).closeCode()).isEqualTo(1008);
        wrong.close();
        try (RawWs there = new RawWs("127.0.0.2", port, "/ws/live?resume="
            + waiting.get(1).path("session_id").asText())) {
          there.text(resume(waiting.get(1), waiting.get(1).path("resume_token").asText()));
          assertThat(JSON.readTree(there.next(10).text()).path("resumed").asBoolean()).isTrue();
          assertThat(upgradeFrom("127.0.0.1", port)).as("it counts against 127.0.0.2 now").contains(" 101 ");
        }
      }
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
