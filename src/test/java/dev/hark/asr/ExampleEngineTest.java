package dev.hark.asr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.testing.Pcm;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SPI example engine, found by name and run through the real server. */
class ExampleEngineTest {
  @Test
  void exampleEngineIsFoundByNameAndReportsOnTheTimeline() throws Exception {
    assertThat(AsrEngines.names()).contains("vosk", "none", "loudness");
    try (TestServer server = TestServer.load(m -> AsrEngines.create("loudness", AsrSettings.defaults(), m));
        WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"block\"}");
      c.awaitType("ready");
      for (int i = 0; i < 100; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
      }
      c.send("{\"type\":\"stop\"}");
      c.awaitType("stopped");
      List<JsonNode> results = c.seen("transcript", null);
      assertThat(results).hasSize(2);
      assertThat(results.get(1).path("start_ms").asLong()).isEqualTo(1000);
      assertThat(results.get(1).path("end_ms").asLong()).isEqualTo(2000);
    }
  }
}
