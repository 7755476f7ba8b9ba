package dev.hark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.asr.NoneEngine;
import dev.hark.client.JsonObjects;
import dev.hark.server.AccessSettings;
import dev.hark.server.ServerConfig;
import dev.hark.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hark stream} and {@code hark bench} against a server that wants a token. */
class TokenClientsTest {
  private static final String SPEECH = "src/test/resources/speech/sense_and_sensibility_01_austen_64kb-0870.wav";

  @TempDir
  Path dir;

  @Test
  void clientsSendTheirTokenAndSayClearlyWhenRefused() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "t0k3n\n");
    ServerConfig config = ServerConfig.defaults().withAccess(new AccessSettings(tokens, List.of(), 64, false));
    try (TestServer server = TestServer.start(new NoneEngine(0), config)) {
      String url = "--url=ws://127.0.0.1:" + server.port() + "/ws/live";
      StreamCommandTest.Run refused = StreamCommandTest.hark("stream", url, "--speed=max", SPEECH);
      assertThat(refused.code()).isEqualTo(1);
      assertThat(refused.err()).contains("HTTP 401");
      StreamCommandTest.Run ok = StreamCommandTest.hark("stream", url, "--speed=max", "--token=t0k3n", SPEECH);
      assertThat(ok.code()).as(ok.err()).isZero();
      StreamCommandTest.Run bench = StreamCommandTest.hark("bench", url, "--json", "--token=t0k3n", "--sessions=3",
          "--duration=200ms");
      assertThat(bench.code()).as(bench.err()).isZero();
      assertThat(JsonObjects.num(JsonObjects.parse(bench.out().strip()), "sessions_connected")).isEqualTo(3);
    }
  }
}
