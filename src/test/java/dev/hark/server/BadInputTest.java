package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.SharedServer;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad input gets its typed error, is counted by code, and the connection carries on. */
class BadInputTest {
  @RegisterExtension
  static final SharedServer server =
      new SharedServer(() -> TestServer.start(new NoneEngine(0), s -> s.withLimits(2, 100)));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "not json at all | bad_json",
      "[1,2,3] | bad_json",
      "`{\"type\":\"audio\",` | bad_json",
      "`{\"type\":\"ping\"} trailing` | bad_json",
      "`{\"source\":\"mic\"}` | bad_message",
      "`{\"type\":7}` | bad_message",
      "`{\"type\":\"audio\",\"source\":\"mic\"}` | bad_audio",
      "`{\"type\":\"audio\",\"data\":123}` | bad_audio",
      "`{\"type\":\"audio\",\"data\":null}` | bad_audio",
      "`{\"type\":\"audio\",\"data\":\"\"}` | bad_audio",
      "`{\"type\":\"audio\",\"data\":\"AAE=\",\"extra\":1}` | none",
      "`{\"type\":\"audio\",\"data\":\"AAEC\"}` | bad_audio",
      "`{\"type\":\"audio\",\"data\":\"!!!notbase64\"}` | bad_base64",
      "`{\"type\":\"audio\",\"data\":\"AAE\"}` | none",
      "`{\"type\":\"audio\",\"data\":\"AAEC A\"}` | bad_base64",
      "`{\"type\":\"audio\",\"data\":\"AAECA\"}` | bad_base64",
      "`{\"type\":\"audio\",\"source\":\"bad name!\",\"data\":\"AAE=\"}` | bad_source",
      "`{\"type\":\"audio\",\"data\":\"AAE=\",\"seq\":-1}` | bad_message",
      "`{\"type\":\"audio\",\"data\":\"AAE=\",\"seq\":\"x\"}` | bad_message",
      "`{\"type\":\"audio\",\"data\":\"AAE=\",\"seq\":99999999999999999999999}` | bad_message",
      "`{\"type\":\"dance\"}` | unknown_type",
      "`{\"type\":\"start\",\"sample_rate\":7999}` | bad_sample_rate",
      "`{\"type\":\"start\",\"sample_rate\":48001}` | bad_sample_rate",
      "`{\"type\":\"start\",\"sample_rate\":16000.5}` | bad_sample_rate",
      "`{\"type\":\"start\",\"overflow\":\"sometimes\"}` | bad_overflow",
      "`{\"type\":\"start\",\"sources\":\"mic\"}` | bad_message",
      "`{\"type\":\"start\",\"sources\":[\"mic\",\"mic\"]}` | bad_source",
      "`{\"type\":\"start\",\"sources\":[\"a\",\"b\",\"c\"]}` | too_many_sources",
      "`{\"type\":\"audio\",\"data\":[\"AAE=\"]}` | bad_audio",
      "`{\"type\":\"audio\",\"data\":{\"type\":\"stop\",\"data\":\"AAE=\"}}` | bad_audio",
      "`{\"type\":\"start\",\"sample_rate\":[16000]}` | bad_sample_rate",
      "`{\"type\":\"start\",\"sample_rate\":\"16000\"}` | bad_sample_rate",
      "`{\"type\":\"start\",\"sample_rate\":4294983296}` | bad_sample_rate",
      "`{\"type\":\"audio\",\"data\":\"AAE=\",\"seq\":9007199254740992}` | bad_message",
      "`{\"type\":\"audio\",\"data\":\"AAE=\",\"seq\":9223372036854775807}` | bad_message",
  })
  void badMessageGetsTypedErrorAndSessionSurvives(String message, String code) {
    try (WsClient c = server.connect()) {
      long before = server.scrape().count("protocol_errors_total", "code", code);
      c.send(message);
      if (!code.equals("none")) {
        JsonNode err = c.awaitError(code);
        assertThat(err.path("message").asText()).isNotBlank();
      }
      c.send("{\"type\":\"ping\"}");
      c.awaitType("pong");
      assertThat(c.seen("error", null)).hasSize(code.equals("none") ? 0 : 1);
      if (!code.equals("none")) {
        assertThat(server.scrape().count("protocol_errors_total", "code", code)).isEqualTo(before + 1);
      }
    }
  }

  @Test
  void unboundedInputIsNeverEchoedBack() {
    String digits = "9".repeat(400);
    try (WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sample_rate\":" + digits + "}");
      JsonNode sampleRate = c.awaitError("bad_sample_rate");
      c.send("{\"type\":\"audio\",\"data\":\"AAE=\",\"seq\":" + digits + "}");
      JsonNode seq = c.awaitError("bad_message");
      c.send("{\"type\":\"" + "x".repeat(5000) + "\"}");
      JsonNode type = c.awaitError("unknown_type");
      c.send("{\"type\":\"audio\",\"data\":\"AAE=\",\"source\":\"" + "s".repeat(5000) + "\"}");
      JsonNode source = c.awaitError("bad_source");
      c.send("{\"type\":" + "x".repeat(5000) + "}");
      JsonNode json = c.awaitError("bad_json");
      for (JsonNode e : List.of(sampleRate, seq, type, source, json)) {
        assertThat(e.path("message").asText()).hasSizeLessThanOrEqualTo(200).doesNotContain("99999999999");
      }
    }
  }

  @Test
  void seqArithmeticNeitherOverflowsNorGoesNegative() {
    long before = server.scrape().count("audio_seq_missing_total");
    try (WsClient c = server.connect()) {
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), 0));
      c.send(WsClient.audioJson("mic", Pcm.chunk(1), Long.MAX_VALUE)); // out of range: refused, not counted
      c.awaitError("bad_message");
      c.send(WsClient.audioJson("mic", Pcm.chunk(2), Long.MAX_VALUE));
      c.awaitError("bad_message");
      long max = (1L << 53) - 1;
      c.send(WsClient.audioJson("mic", Pcm.chunk(3), max)); // the largest seq: a gap of max - 1
      c.send(WsClient.audioJson("mic", Pcm.chunk(4), max)); // the same again: a repeat, no gap
      c.send(WsClient.audioJson("mic", Pcm.chunk(5), 0)); // back to 0: counting starts afresh
      c.send("{\"type\":\"stop\"}");
      JsonNode mic = c.awaitType("stopped").path("stats").path("sources").path("mic");
      assertThat(mic.path("seq_missing").asLong()).isEqualTo(max - 1);
      assertThat(mic.path("frames_received").asLong()).isEqualTo(4);
    }
    assertThat(server.scrape().value("audio_seq_missing_total") - before).isEqualTo((double) ((1L << 53) - 2));
  }

  @Test
  void escapedSlashInBase64IsDecoded() {
    try (WsClient c = server.connect()) {
      byte[] pcm = {(byte) 0xff, (byte) 0xf0};  // Base64 "//A=", written with JSON escapes
      assertThat(Base64.getEncoder().encodeToString(pcm)).isEqualTo("//A=");
      c.send("{\"type\":\"audio\",\"source\":\"esc\",\"data\":\"\\/\\/A=\"}");
      c.send("{\"type\":\"stop\"}");
      assertThat(c.awaitType("stopped").path("stats").path("sources").path("esc").path("bytes_received").asLong())
          .isEqualTo(2);
    }
  }

  @Test
  void tooManySourcesOnFirstUse() {
    try (WsClient c = server.connect()) {
      c.send(WsClient.audioJson("a", Pcm.chunk(0), -1));
      c.send(WsClient.audioJson("b", Pcm.chunk(0), -1));
      c.send(WsClient.audioJson("c", Pcm.chunk(0), -1));
      assertThat(c.awaitError("too_many_sources").path("source").asText()).isEqualTo("c");
    }
  }

  @Test
  void startAfterAudioAndSecondStartAreBadState() {
    try (WsClient c = server.connect()) {
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), -1));
      c.send("{\"type\":\"start\"}");
      assertThat(c.awaitError("bad_state").path("message").asText()).contains("before any audio");
    }
    try (WsClient c = server.connect()) {
      c.send("{\"type\":\"start\"}");
      c.awaitType("ready");
      c.send("{\"type\":\"start\"}");
      assertThat(c.awaitError("bad_state").path("message").asText()).contains("already");
    }
  }

  @Test
  void binaryFrameErrors() {
    try (WsClient c = server.connect()) {
      c.sendBinary(new byte[] {0, 1, 2});
      assertThat(c.awaitError("unknown_source").path("message").asText()).contains("index 0");
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}");
      c.awaitType("ready");
      c.sendBinary(new byte[] {1, 1, 2});
      c.awaitError("unknown_source");
      c.sendBinary(new byte[] {0, 1, 2, 3});
      c.awaitError("bad_audio");
      c.sendBinary(new byte[] {0});
      c.awaitError("bad_audio");
      c.sendBinary(new byte[] {0, 1, 2});
      c.send("{\"type\":\"stop\"}");
      assertThat(c.awaitType("stopped").path("stats").path("frames_accepted").asLong()).isEqualTo(1);
    }
  }

  @Test
  void oversizedMessageClosesWith1009() {
    try (TestServer small = TestServer.start(new NoneEngine(0),
        dev.hark.server.ServerConfig.defaults().withMaxMessageBytes(4096)); WsClient c = small.connect()) {
      c.send(WsClient.audioJson("mic", Pcm.chunk(0, 2048), -1));
      c.send(WsClient.audioJson("mic", Pcm.chunk(0, 8192), -1));
      assertThat(c.awaitClose()).isEqualTo(1009);
      Scrape s = small.scrape();
      assertThat(s.count("audio_frames_received_total", "source", "mic")).isEqualTo(1);
    }
  }

  @Test
  void audioAfterStopIsBadState() {
    try (WsClient c = server.connect()) {
      c.send("{\"type\":\"stop\"}");
      // Either the error arrives before the close, or the session is already gone: never silence while open.
      c.sendAsync(WsClient.audioJson("mic", Pcm.chunk(0), -1)).exceptionally(closedAlready -> null).join();
      c.awaitType("stopped");
      assertThat(c.awaitClose()).isEqualTo(1000);
    }
  }
}
