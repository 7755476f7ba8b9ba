package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.NoneEngine;
import dev.hark.client.WordErrors;
import dev.hark.testing.NodeClient;
import dev.hark.testing.RawHttp;
import dev.hark.testing.Scrape;
import dev.hark.testing.SharedServer;
import dev.hark.testing.Speech;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deepgram's own JavaScript SDK ({@code @deepgram/sdk}, its live {@code listen.v1} client) against Hark's
 * {@code /v1/listen} with the real recognizer: a two-channel multichannel stream comes back as each channel's words
 * on its own Hark source; overload arrives as {@code Warning}s; bad input gets Deepgram-shaped answers.
 */
class DeepgramClientTest {
  @RegisterExtension
  static final SharedServer server = new SharedServer(TestServer::vosk);

  @BeforeAll
  static void needTheSdk() {
    NodeClient.require("@deepgram/sdk");
  }

  @Test
  void multichannelStreamGetsEachChannelsWordsOnItsOwnSource() throws Exception {
    Speech.Clip left = Speech.clips().get(0);
    Speech.Clip right = Speech.clips().get(1);
    Scrape before = server.scrape();
    JsonNode out = NodeClient.run("deepgram-client.mjs", server.port(), "any-key", "stereo", left.wav(),
        right.wav());
    assertThat(out.path("closed").path("code").asInt()).as(out.path("closed").toString()).isEqualTo(1000);
    assertThat(WordErrors.of(left.reference(), out.path("finals").path("0").asText()).rate()).isLessThanOrEqualTo(0.25);
    assertThat(WordErrors.of(right.reference(),
        out.path("finals").path("1").asText()).rate()).isLessThanOrEqualTo(0.25);
    List<JsonNode> messages = StreamSupport.stream(out.path("messages").spliterator(), false).toList();
    assertThat(messages).as("interim results were asked for").anyMatch(m -> m.path("type").asText()
        .equals("Results") && !m.path("is_final").asBoolean());
    assertThat(messages).anyMatch(m -> m.path("type").asText().equals("SpeechStarted"));
    for (JsonNode m : messages) {
      if (m.path("type").asText().equals("Results")) {
        assertThat(m.path("channel_index").get(1).asInt()).isEqualTo(2);
        for (JsonNode w : m.path("channel").path("alternatives").get(0).path("words")) {
          assertThat(w.path("end").asDouble()).isGreaterThanOrEqualTo(w.path("start").asDouble());
          assertThat(w.path("confidence").asDouble()).isBetween(0.0, 1.0);
        }
      }
    }
    JsonNode metadata = messages.getLast();
    assertThat(metadata.path("type").asText()).isEqualTo("Metadata");
    assertThat(metadata.path("channels").asInt()).isEqualTo(2);
    assertThat(metadata.path("duration").asDouble()).isGreaterThan(left.durationMs() / 1000.0 - 0.2);
    Scrape after = server.scrape();
    for (String source : List.of("mic", "system")) {
      assertThat(after.count("audio_frames_received_total", "source", source)
          - before.count("audio_frames_received_total", "source", source)).as(source).isPositive();
    }
  }

  /**
   * Overload as Deepgram's client sees it: a recognizer five times slower than real time behind a four-chunk queue
   * drops most of the audio; the client gets {@code Warning}s carrying Hark's status, and the closing
   * {@code Metadata} carries every frame's fate (received = accepted + dropped).
   */
  @Test
  void droppedAudioArrivesAsWarningsAndIsAccountedForInMetadata() throws Exception {
    try (TestServer slow = TestServer.startWithoutCapacityControl(new NoneEngine(5.0), s -> s.withQueue(4, 0))) {
      JsonNode out = NodeClient.run("deepgram-client.mjs", slow.port(), "any-key", "mono",
          Speech.clips().get(0).wav());
      List<JsonNode> messages = StreamSupport.stream(out.path("messages").spliterator(), false).toList();
      assertThat(messages).anyMatch(m -> m.path("type").asText().equals("Warning")
          && m.path("code").asText().startsWith("hark.") && m.path("hark").path("dropped_frames").asLong() > 0);
      JsonNode stats = messages.getLast().path("hark").path("stats");
      assertThat(stats.path("frames_dropped").asLong()).isPositive();
      assertThat(stats.path("frames_received").asLong()).isEqualTo(stats.path("frames_accepted").asLong()
          + stats.path("frames_dropped").asLong());
      assertThat(out.path("closed").path("code").asInt()).isEqualTo(1000);
    }
  }

  /** Deepgram refuses a query it cannot serve before the upgrade, with 400; so does Hark. */
  @Test
  void aQueryHarkCannotServeIsRefusedBeforeTheUpgrade() {
    for (String query : List.of("encoding=opus", "sample_rate=abc", "sample_rate=4000", "channels=99",
        "multichannel=yes", "utterance_end_ms=-1")) {
      assertThat(RawHttp.upgradeTo(server.port(), DeepgramDialect.PATH + "?" + query).getFirst()).as(query)
          .contains(" 400 ");
    }
    assertThat(RawHttp.upgradeTo(server.port(), DeepgramDialect.PATH + "?encoding=linear16&sample_rate=16000")
        .getFirst()).contains(" 101 ");
  }

  /**
   * Malformed input on /v1/listen, as /ws/live gets it: every text message that is not one of Deepgram's controls is
   * answered with an {@code Error} in Deepgram's shape; binary garbage is audio (as it is to Deepgram); the stream
   * still closes cleanly with {@code Metadata}.
   */
  @Test
  void malformedMessagesGetDeepgramShapedErrorsAndTheServerIsUnharmed() {
    MalformedCorpus corpus = new MalformedCorpus(11);
    try (WsClient c = WsClient.connect(server.port(), DeepgramDialect.PATH + "?sample_rate=16000", List.of())) {
      int texts = 0;
      for (int i = 0; i < 200; i++) {
        MalformedCorpus.Message m = corpus.next();
        String text = new String(m.bytes(), StandardCharsets.UTF_8);
        if (m.binary()) {
          c.sendBinary(m.bytes().length == 0 ? new byte[2] : m.bytes());
        } else if (!text.contains("KeepAlive") && !text.contains("Finalize") && !text.contains("CloseStream")) {
          c.send(text);
          texts++;
        }
      }
      int expected = texts;
      c.await(m -> c.seen().stream().filter(x -> x.path("type").asText().equals("Error")).count() >= expected,
          Duration.ofSeconds(20));
      assertThat(c.seen()).filteredOn(m -> m.path("type").asText().equals("Error"))
          .allMatch(m -> !m.path("code").asText().isEmpty() && !m.path("description").asText().isEmpty());
      c.send("{\"type\":\"CloseStream\"}");
      c.await(m -> m.path("type").asText().equals("Metadata"), Duration.ofSeconds(20));
      assertThat(c.awaitClose()).isEqualTo(1000);
    }
  }
}
