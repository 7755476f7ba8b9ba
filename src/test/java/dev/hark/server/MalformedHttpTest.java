package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.GoodClient;
import dev.hark.testing.LogCapture;
import dev.hark.testing.MemoryProbe;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed HTTP: bad %-escapes, upgrades the handshake would not accept, oversized or too many headers, tokens in
 * broken requests. Each gets a clean 4xx in Hark's error shape and a closed connection, is counted, holds no slot
 * and no memory, and leaves no warning or token in the log.
 */
class MalformedHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MB = 1 << 20;

  @TempDir
  Path dir;

  /** What the server answered on one connection: status line, body, and whether it then closed. */
  record Answer(String status, String body, boolean closed) {
    int code() {
      return status.length() >= 12 ? Integer.parseInt(status.substring(9, 12)) : -1;
    }

    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  /** Sends raw bytes on a new connection and reads the whole answer until the server closes (or 5 s pass). */
  static Answer exchange(int port, byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(request);
      return read(s.getInputStream());
    }
  }

  static Answer exchange(int port, String request) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    boolean closed = false;
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      // the server kept the connection open
    } catch (IOException e) {
      closed = true; // reset
    }
    String text = all.toString(StandardCharsets.ISO_8859_1);
    int eol = text.indexOf("\r\n");
    int body = text.indexOf("\r\n\r\n");
    return new Answer(eol < 0 ? text : text.substring(0, eol), body < 0 ? "" : text.substring(body + 4), closed);
  }

  private static void assertErrorShape(Answer a, int status, String code) throws IOException {
    assertThat(a.code()).as(a.status()).isEqualTo(status);
    JsonNode e = a.json();
    assertThat(e.path("type").asText()).isEqualTo("error");
    assertThat(e.path("code").asText()).isEqualTo(code);
    assertThat(e.path("message").asText()).isNotBlank().hasSizeLessThan(300);
    assertThat(a.closed()).as("connection closed").isTrue();
  }

  @Test
  void requestsWithBadEscapesGetA400AndReleaseWhatTheyHeld() throws Exception {
    try (TestServer server = TestServer.start(new NoneEngine(0)); LogCapture log = LogCapture.start();
        MemoryProbe memory = MemoryProbe.start()) {
      var good = GoodClient.stream(server.port(), 100);
      String body = "x".repeat(8000);
      List<Socket> open = new ArrayList<>();
      try {
        for (int i = 0; i < 300; i++) {
          String path = i % 2 == 0 ? "/%zz" : "/%";
          Socket s = new Socket("127.0.0.1", server.port());
          s.setSoTimeout(5_000);
          s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length()
              + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
          open.add(s);
        }
        String figures = memory.report("300 POSTs with 8 KB bodies and a bad %-escape");
        System.out.println(figures);
        for (Socket s : open) {
          assertErrorShape(read(s.getInputStream()), 400, "bad_request");
        }
        assertThat(memory.directGrowth()).as(figures).isLessThan(8 * MB);
      } finally {
        for (Socket s : open) {
          s.close();
        }
      }
      assertThat(good.get(30, TimeUnit.SECONDS)).isNotNull();
      assertThat(server.scrape().count("http_requests_rejected_total", "reason", "bad_request")).isEqualTo(300);
      assertThat(memory.heapGrowth()).isLessThan(32 * MB);
      assertThat(log.warnings()).isEmpty();
      assertThat(log.lines()).noneMatch(l -> l.contains("\tat ")); // no stack trace at any level
    }
  }

  @Test
  void upgradesTheHandshakeWouldRefuseTakeNoSlot() throws Exception {
    ServerConfig config = ServerConfig.defaults().withIngest(ServerConfig.defaults().ingest().withLimits(4, 8));
    String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    String upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n";
    // request -> the status it must get
    List<String[]> cases = List.of(
        new String[] {"GET /ws%2Flive HTTP/1.1\r\nHost: x\r\n" + upgrade + key + "Sec-WebSocket-Version: 13\r\n\r\n",
            "404", "not_found"},
        new String[] {"GET /%77s/live HTTP/1.1\r\nHost: x\r\n" + upgrade + key + "Sec-WebSocket-Version: 13\r\n\r\n",
            "404", "not_found"},
        new String[] {"GET /ws/live HTTP/1.1\r\nHost: x\r\n" + upgrade + key + "Sec-WebSocket-Version: 99\r\n\r\n",
            "426", "bad_upgrade"},
        new String[] {"GET /ws/live HTTP/1.1\r\nHost: x\r\n" + upgrade + key + "Sec-WebSocket-Version: 8\r\n\r\n",
            "426", "bad_upgrade"},
        new String[] {"GET /ws/live HTTP/1.1\r\nHost: x\r\n" + upgrade + "Sec-WebSocket-Version: 13\r\n\r\n",
            "400", "bad_upgrade"},
        new String[] {"GET /ws/live HTTP/1.1\r\nHost: x\r\n" + upgrade + "Sec-WebSocket-Key: short\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n", "400", "bad_upgrade"},
        new String[] {"GET /ws/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" + key
            + "Sec-WebSocket-Version: 13\r\n\r\n", "400", "bad_upgrade"},
        new String[] {"POST /ws/live HTTP/1.1\r\nHost: x\r\n" + upgrade + key
            + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n", "405", "bad_method"},
        new String[] {"GET /ws/live HTTP/1.0\r\nHost: x\r\n" + upgrade + key + "Sec-WebSocket-Version: 13\r\n\r\n",
            "400", "bad_upgrade"});
    try (TestServer server = TestServer.start(new NoneEngine(0), config); LogCapture log = LogCapture.start()) {
      for (int round = 0; round < 2; round++) { // twice the slots: any slot held would show
        for (String[] c : cases) {
          Answer a = exchange(server.port(), c[0]);
          assertErrorShape(a, Integer.parseInt(c[1]), c[2]);
          if (c[1].equals("426")) {
            assertThat(c[0]).contains("Sec-WebSocket-Version");
          }
        }
      }
      Scrape m = server.scrape();
      assertThat(m.count("sessions_active")).isZero();
      assertThat(Scrape.get(server.port(), "/readyz").statusCode()).isEqualTo(200);
      List<WsClient> real = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        real.add(server.connect()); // all 8 slots are free
      }
      real.forEach(WsClient::close);
      assertThat(m.count("http_requests_rejected_total", "reason", "bad_upgrade")).isEqualTo(12);
      assertThat(log.warnings()).isEmpty();
    }
  }

  @Test
  void oversizedOrTooManyHeadersGetTheirStatusAndAClosedConnection() throws Exception {
    try (TestServer server = TestServer.start(new NoneEngine(0)); LogCapture log = LogCapture.start()) {
      assertErrorShape(exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(100_000)
          + "\r\n\r\n"), 431, "headers_too_large");
      StringBuilder many = new StringBuilder("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      for (int i = 0; i < 3000; i++) {
        many.append("a").append(i % 10).append(": b\r\n");
      }
      assertErrorShape(exchange(server.port(), many.append("\r\n").toString()), 431, "headers_too_large");
      assertErrorShape(exchange(server.port(), "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414,
          "uri_too_long");
      assertErrorShape(exchange(server.port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
          + "x".repeat(100_000)), 413, "body_too_large");
      assertErrorShape(exchange(server.port(), "GARBAGE\r\n\r\n"), 400, "bad_request");
      // The connection does not linger: a well-formed request right after is answered at once.
      Answer ok = exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(ok.code()).isEqualTo(200);
      assertThat(server.scrape().count("http_requests_rejected_total", "reason", "headers_too_large")).isEqualTo(2);
      assertThat(log.warnings()).isEmpty();
    }
  }

  @Test
  void noTokenReachesTheLogWhateverTheRequestLooksLike() throws Exception {
    String token = "tok-7f3a9c2e51d8b4a6";
    Path tokens = Files.writeString(dir.resolve("tokens"), token + "\n");
    ServerConfig config = ServerConfig.defaults().withAccess(new AccessSettings(tokens, List.of(), 64, false));
    String key = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    try (TestServer server = TestServer.start(new NoneEngine(0), config); LogCapture log = LogCapture.start()) {
      int port = server.port();
      List<String> requests = List.of(
          "GET /ws/live?token=" + token + "%zz HTTP/1.1\r\nHost: x\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
          "GET /ws/live?token=%zz" + token + " HTTP/1.1\r\nHost: x\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
          "GET /ws/live?token=" + token + "% HTTP/1.1\r\nHost: x\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
          "GET /ws%zz/live?token=" + token + " HTTP/1.1\r\nHost: x\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
          "GET /ws/live?token=" + token + " HTTP/1.1\r\nHost: x\r\n" + key + "Sec-WebSocket-Version: 99\r\n\r\n",
          "GET /ws/live HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n" + key + "\r\n",
          "GET /ws/live HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Protocol: hark, hark.token." + token + "\r\n" + key
              + "Sec-WebSocket-Version: 99\r\n\r\n",
          "GET /metrics?token=" + token + "%zz HTTP/1.1\r\nHost: x\r\n\r\n",
          "GET /%zz?token=" + token + " HTTP/1.1\r\nHost: x\r\n\r\n",
          "POST /?token=" + token + "% HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
          "GET /ws/live?token=" + token + "x HTTP/1.1\r\nHost: x\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
          "GET /ws/live?token=" + token + " HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
      for (String r : requests) {
        Answer a = exchange(port, r);
        assertThat(a.code()).as(r.lines().findFirst().orElse(r)).isBetween(400, 499);
        assertThat(a.body()).doesNotContain(token);
      }
      // And the sessions that do get in, by each of the three ways.
      WsClient.connect(port, "/ws/live?token=" + token, List.of()).send("{\"type\":\"ping\"}").awaitType("pong");
      WsClient.connect(port, "/ws/live", List.of("Authorization", "Bearer " + token)).close();
      WsClient.connect(port, "/ws/live", List.of(), "hark", "hark.token." + token).close();
      Thread.sleep(200);
      List<String> lines = log.lines();
      assertThat(lines).noneMatch(l -> l.contains(token.substring(4)));
      assertThat(log.warnings()).isEmpty();
    }
  }

}
