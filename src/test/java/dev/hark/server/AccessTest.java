package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.RawHttp;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Who gets in: tokens (header, query, subprotocol, hot reload), origins, per-address limits, loopback by default. */
class AccessTest {
  @TempDir
  Path dir;

  private TestServer server(AccessSettings access) {
    return TestServer.start(new NoneEngine(0), ServerConfig.defaults().withAccess(access));
  }

  private static String status(List<String> head) {
    return head.isEmpty() ? "" : head.get(0);
  }

  private static void assertSessionWorks(WsClient c) {
    c.send("{\"type\":\"ping\"}");
    c.awaitType("pong");
    c.close();
  }

  /**
   * Each protocol's own way of carrying a key is Hark's token: Deepgram's {@code Token} scheme and its
   * {@code token, KEY} subprotocol pair, OpenAI's browser subprotocol; the chosen subprotocol is answered back.
   */
  @Test
  void deepgramAndOpenAiCarryTheTokenTheirOwnWay() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "the-key\n");
    try (TestServer server = server(new AccessSettings(tokens, List.of(), 64, false))) {
      int port = server.port();
      String listen = DeepgramDialect.PATH + "?encoding=linear16&sample_rate=16000";
      assertThat(status(RawHttp.upgradeTo(port, listen, "Authorization: Token the-key"))).startsWith("HTTP/1.1 101");
      assertThat(status(RawHttp.upgradeTo(port, listen, "Authorization: Token wrong"))).startsWith("HTTP/1.1 401");
      List<String> browser = RawHttp.upgradeTo(port, listen, "Sec-WebSocket-Protocol: token, the-key");
      assertThat(status(browser)).startsWith("HTTP/1.1 101");
      assertThat(browser).anyMatch(h -> h.equalsIgnoreCase("sec-websocket-protocol: token"));
      assertThat(status(RawHttp.upgradeTo(port, listen, "Sec-WebSocket-Protocol: token, wrong")))
          .startsWith("HTTP/1.1 401");
      String realtime = OpenAiDialect.PATH + "?model=gpt-4o-transcribe";
      assertThat(status(RawHttp.upgradeTo(port, realtime, "Authorization: Bearer the-key")))
          .startsWith("HTTP/1.1 101");
      List<String> openAiBrowser = RawHttp.upgradeTo(port, realtime,
          "Sec-WebSocket-Protocol: realtime, openai-insecure-api-key.the-key");
      assertThat(status(openAiBrowser)).startsWith("HTTP/1.1 101");
      assertThat(openAiBrowser).anyMatch(h -> h.equalsIgnoreCase("sec-websocket-protocol: realtime"));
      assertThat(status(RawHttp.upgradeTo(port, realtime,
          "Sec-WebSocket-Protocol: realtime, openai-insecure-api-key.wrong"))).startsWith("HTTP/1.1 401");
    }
  }

  @Test
  void tokensAreCheckedBeforeTheUpgradeAndReloadedWhenTheFileChanges() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "# team\nsecret-one\n\nsecret-two\n");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger hark = (Logger) LoggerFactory.getLogger("dev.hark");
    ch.qos.logback.classic.Level level = hark.getLevel();
    hark.setLevel(ch.qos.logback.classic.Level.DEBUG);
    hark.addAppender(logs);
    try (TestServer server = server(new AccessSettings(tokens, List.of(), 64, false))) {
      int port = server.port();
      List<String> none = RawHttp.upgrade(port);
      assertThat(status(none)).startsWith("HTTP/1.1 401");
      assertThat(none).anyMatch(h -> h.toLowerCase().startsWith("www-authenticate: bearer"));
      assertThat(status(RawHttp.upgrade(port, "Authorization: Bearer wrong"))).startsWith("HTTP/1.1 401");
      assertThat(status(RawHttp.upgrade(port, "Authorization: Bearer secret-one"))).startsWith("HTTP/1.1 101");

      assertSessionWorks(WsClient.connect(port, "/ws/live", List.of("Authorization", "Bearer secret-two")));
      assertSessionWorks(WsClient.connect(port, "/ws/live?token=secret-one", List.of()));
      WsClient browser = WsClient.connect(port, "/ws/live", List.of(), "hark", "hark.token.secret-two");
      assertThat(browser.subprotocol()).isEqualTo("hark");
      assertSessionWorks(browser);

      // Revoke secret-one, add secret-three: no restart.
      Files.writeString(tokens, "secret-two\nsecret-three\n");
      Files.setLastModifiedTime(tokens, FileTime.from(Instant.now().plusSeconds(5)));
      assertThat(status(RawHttp.upgrade(port, "Authorization: Bearer secret-one"))).startsWith("HTTP/1.1 401");
      assertThat(status(RawHttp.upgrade(port, "Authorization: Bearer secret-three"))).startsWith("HTTP/1.1 101");

      assertThat(server.scrape().count("sessions_refused_total", "reason", "unauthorized")).isEqualTo(3);
    } finally {
      hark.detachAppender(logs);
      hark.setLevel(level);
    }
    assertThat(logs.list).isNotEmpty().noneMatch(e -> e.getFormattedMessage().contains("secret"));
  }

  @Test
  void browserOriginsOutsideTheListGet403() {
    try (TestServer server = server(new AccessSettings(null, List.of("https://app.example"), 64, false))) {
      int port = server.port();
      assertThat(status(RawHttp.upgrade(port, "Origin: https://evil.example"))).startsWith("HTTP/1.1 403");
      assertThat(status(RawHttp.upgrade(port, "Origin: https://app.example"))).startsWith("HTTP/1.1 101");
      assertThat(status(RawHttp.upgrade(port))).as("non-browser clients send no Origin").startsWith("HTTP/1.1 101");
      assertThat(server.scrape().count("sessions_refused_total", "reason", "origin")).isEqualTo(1);
    }
  }

  @Test
  void oneAddressGetsAtMostItsShareOfSessions() {
    try (TestServer server = server(new AccessSettings(null, List.of(), 2, false))) {
      WsClient a = server.connect();
      WsClient b = server.connect();
      List<String> third = RawHttp.upgrade(server.port());
      assertThat(status(third)).startsWith("HTTP/1.1 429");
      assertThat(third).anyMatch(h -> h.equalsIgnoreCase("retry-after: 5"));
      assertThat(server.scrape().count("sessions_refused_total", "reason", "per_ip")).isEqualTo(1);
      a.close();
      org.awaitility.Awaitility.await().untilAsserted(
          () -> assertThat(status(RawHttp.upgrade(server.port()))).startsWith("HTTP/1.1 101"));
      b.close();
    }
  }

  @Test
  void withoutTokensOnlyLoopbackUnlessInsecurePublic() {
    ServerConfig open = ServerConfig.defaults().withHost("0.0.0.0");
    assertThatThrownBy(() -> TestServer.start(new NoneEngine(0), open))
        .rootCause().hasMessageContaining("refusing to listen on 0.0.0.0 without --auth-token-file");
    try (TestServer server = TestServer.start(new NoneEngine(0),
        open.withAccess(new AccessSettings(null, List.of(), 64, true)))) {
      assertSessionWorks(server.connect());
    }
  }
}
