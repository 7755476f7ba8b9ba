package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hark.asr.NoneEngine;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** A full server says so on /readyz and refuses upgrades with 503 and Retry-After, then recovers. */
class FullServerTest {
  @Test
  void fullServerRefusesWith503() {
    try (TestServer server = TestServer.start(new NoneEngine(0), s -> s.withLimits(4, 1))) {
      WsClient first = server.connect();
      first.send("{\"type\":\"ping\"}");
      first.awaitType("pong");
      assertThat(Scrape.get(server.port(), "/readyz").statusCode()).isEqualTo(503);
      assertThatThrownBy(server::connect)
          .isInstanceOf(CompletionException.class)
          .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> {
            assertThat(e.getResponse().statusCode()).isEqualTo(503);
            assertThat(e.getResponse().headers().firstValue("retry-after")).contains("5");
          });
      assertThat(server.scrape().count("sessions_refused_total")).isEqualTo(1);
      first.close();
      await().until(() -> Scrape.get(server.port(), "/readyz").statusCode() == 200);
      try (WsClient second = server.connect()) {
        second.send("{\"type\":\"ping\"}");
        second.awaitType("pong");
      }
    }
  }

  @Test
  void shutdownClosesSessionsWith1001AndRefusesNewOnes() {
    TestServer server = TestServer.start(new NoneEngine(0));
    WsClient c = server.connect();
    c.send("{\"type\":\"ping\"}");
    c.awaitType("pong");
    server.close();
    assertThat(c.awaitClose()).isEqualTo(1001);
  }
}
