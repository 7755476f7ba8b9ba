package dev.hark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.asr.NoneEngine;
import dev.hark.server.ServerConfig;
import dev.hark.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code hark stream --speed max} keeps under the rate limit the server states in ready, so it loses nothing to it. */
class StreamRateTest {
  @Test
  void fullSpeedStaysUnderTheServersMessageRate() {
    ServerConfig config = ServerConfig.defaults().withSessionLimits(Duration.ofHours(1), 100);
    try (TestServer server = TestServer.start(new NoneEngine(0), config)) {
      // 5 s of audio = 250 chunks: far over a 100-a-second burst if sent flat out.
      StreamCommandTest.Run r = StreamCommandTest.hark("stream", "--url=ws://127.0.0.1:" + server.port() + "/ws/live",
          "--speed=max", "src/test/resources/speech/sense_and_sensibility_01_austen_64kb-0870.wav");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(server.scrape().count("protocol_errors_total", "code", "rate_limited")).isZero();
      assertThat(r.err()).contains("dropped 0");
    }
  }
}
