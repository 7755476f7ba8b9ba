package dev.hark.asr.vosk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.SharedServer;
import dev.hark.testing.Speech;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every sample rate the protocol takes is transcribed, through the real server into the real Vosk: rates below the
 * model's 16 kHz resampled by Hark, higher ones downsampled by Kaldi. The audio at each rate is not made by the
 * resampler under test: below 16 kHz it is sox's (committed, under speech/rates), above it a linear interpolation
 * of the 16 kHz clip (its images lie above 8 kHz, which the model's features do not hear). And a recognizer that
 * refuses its audio fails the stream with {@code asr_failed} instead of going quiet.
 */
class SampleRatesTest {
  private static final String CLIP = "sense_and_sensibility_01_austen_64kb-0880";
  @RegisterExtension
  static final SharedServer server = new SharedServer(TestServer::vosk);

  /** A test that loaded the recognizer leaves it at capacity for a moment (until the next load report). */
  @BeforeEach
  void recognizerHasRoom() {
    await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.get(server.port(), "/readyz").statusCode() == 200);
  }

  private static byte[] clipAt(int rate) {
    if (rate < 16000) {
      return Speech.pcm("rates/" + CLIP + "-" + rate + ".wav");
    }
    byte[] pcm = Speech.pcm(CLIP + ".wav");
    int n = pcm.length / 2;
    int m = (int) ((long) n * rate / 16000);
    byte[] out = new byte[2 * m];
    for (int j = 0; j < m; j++) {
      double x = j * 16000.0 / rate;
      int i = (int) x;
      double a = sample(pcm, i);
      double b = i + 1 < n ? sample(pcm, i + 1) : 0;
      int s = (int) Math.round(a + (x - i) * (b - a));
      out[2 * j] = (byte) s;
      out[2 * j + 1] = (byte) (s >> 8);
    }
    return out;
  }

  private static short sample(byte[] pcm, int i) {
    return (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
  }

  private static WsClient session(int port, int rate) {
    WsClient c = WsClient.connect(port);
    c.send("{\"type\":\"start\",\"sample_rate\":" + rate + ",\"sources\":[\"mic\"],\"overflow\":\"block\"}");
    c.awaitType("ready");
    return c;
  }

  @ParameterizedTest
  @ValueSource(ints = {8000, 11025, 16000, 22050, 32000, 44100, 48000})
  void everyRateIsTranscribed(int rate) {
    try (WsClient c = session(server.port(), rate)) {
      Speech.stream(c, "mic", clipAt(rate), 0, rate / 50 * 2);
      c.send("{\"type\":\"stop\"}");
      JsonNode mic = c.await(m -> m.path("type").asText().equals("stopped"), Duration.ofSeconds(60)).path("stats")
          .path("sources").path("mic");
      assertThat(mic.path("frames_dropped").asLong()).isZero();
      String text = c.seen().stream().filter(m -> m.path("type").asText().equals("transcript")
          && m.path("final").asBoolean()).map(m -> m.path("text").asText()).collect(Collectors.joining(" "));
      System.out.printf("vosk at %d Hz: \"%s\"%n", rate, text);
      // "he was not an ill disposed young man": Vosk hears "a nail" for "an ill" at 16 kHz too, and "dispose" at 8.
      assertThat(text).contains("he was not").contains("dispose").contains("young man");
    }
  }

  /** A model Hark believes takes 8 kHz as it is, but whose Kaldi features refuse it: the stream fails, typed. */
  @Test
  void aRecognizerThatRefusesItsAudioFailsTheStream() throws Exception {
    Path model = VoskEngine.builtInModel();
    try (TestServer s = TestServer.start(new VoskEngine(model, new ModelRate(16000, true, true)));
        WsClient c = session(s.port(), 8000)) {
      for (int i = 0; i < 10; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i, 320), i));
      }
      assertThat(c.awaitError("asr_failed").path("message").asText()).contains("refused");
      c.send("{\"type\":\"stop\"}");
      JsonNode mic = c.awaitType("stopped").path("stats").path("sources").path("mic");
      assertThat(mic.path("frames_accepted").asLong() + mic.path("dropped_by_reason").path("asr_failed").asLong())
          .isEqualTo(10);
    }
  }
}
