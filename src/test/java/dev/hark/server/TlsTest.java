package dev.hark.server;

import static dev.hark.testing.Counts.assertCounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hark.asr.NoneEngine;
import dev.hark.testing.Certificates;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hark serving TLS itself (--tls-cert, --tls-key) with a self-signed certificate the test makes and trusts: https
 * and wss work end to end, a plain connection to the TLS port is refused without harm, and a renewed certificate is
 * served to new connections without a restart.
 */
class TlsTest {
  @TempDir
  Path dir;

  private TestServer tlsServer(Path cert, Path key) {
    return TestServer.start(new NoneEngine(0), dev.hark.server.ServerConfig.create(c -> {
      c.tlsCert = cert;
      c.tlsKey = key;
    }));
  }

  private static String servedCommonName(int port, SSLContext trust) throws IOException {
    try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }
  }

  @Test
  void httpsAndWssWorkAndAPlainConnectionDoesNoHarm() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Certificates.make(cert, key, "hark-test");
    try (TestServer server = tlsServer(cert, key)) {
      HttpClient https = HttpClient.newBuilder().sslContext(Certificates.trusting(cert)).build();
      HttpResponse<String> health = https.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + server.port() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);

      // Plain HTTP and ws:// to the TLS port are not understood: the connection fails, the server goes on.
      assertThatThrownBy(() -> Scrape.get(server.port(), "/healthz")).isInstanceOf(AssertionError.class);
      assertThatThrownBy(() -> WsClient.connect(server.port())).isInstanceOf(RuntimeException.class);
      await().until(() -> Scrape.parse(https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
          + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body())
          .count("connections_closed_total", "reason", "tls") >= 2); // the JDK client may retry a failed GET

      try (WsClient c = WsClient.connectTls(server.port(), https)) {
        c.send("{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"block\"}").awaitType("ready");
        for (int i = 0; i < 10; i++) {
          c.send(WsClient.audioJson("mic", Pcm.chunk(i), i));
        }
        c.send("{\"type\":\"stop\"}");
        assertCounts(c.awaitType("stopped").path("stats"), 10, 10, 0);
      }
    }
  }

  @Test
  void aRenewedCertificateIsServedToNewConnectionsWithoutARestart() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Certificates.make(cert, key, "first");
    Path cert2 = dir.resolve("renewed-cert.pem");
    Path key2 = dir.resolve("renewed-key.pem");
    Certificates.make(cert2, key2, "renewed");
    SSLContext trustBoth = Certificates.trusting(cert, cert2);
    try (TestServer server = tlsServer(cert, key)) {
      assertThat(servedCommonName(server.port(), trustBoth)).isEqualTo("CN=first");
      // A renewal writes new files in place of the old ones (here, moved over them).
      Files.move(key2, key, StandardCopyOption.REPLACE_EXISTING);
      Files.move(cert2, cert, StandardCopyOption.REPLACE_EXISTING);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> servedCommonName(server.port(), trustBoth).equals("CN=renewed"));

      // A broken renewal keeps the last good certificate.
      Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n");
      assertThat(servedCommonName(server.port(), trustBoth)).isEqualTo("CN=renewed");
    }
  }
}
