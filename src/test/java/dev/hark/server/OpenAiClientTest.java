package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.NoneEngine;
import dev.hark.client.WordErrors;
import dev.hark.ingest.SourceQueue;
import dev.hark.testing.Certificates;
import dev.hark.testing.GateEngine;
import dev.hark.testing.NodeClient;
import dev.hark.testing.Speech;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's own JavaScript SDK ({@code openai}, its Realtime WebSocket client, which always connects over
 * {@code wss://}) against Hark's {@code /v1/realtime}, served with TLS on a self-signed certificate the test makes
 * and the client trusts, and the real recognizer: server VAD turns and manual commits both come back as the clip's
 * words, overload as {@code error} events carrying Hark's status, bad events as errors in OpenAI's shape.
 */
class OpenAiClientTest {
  private static Path dir;
  private static Path cert;
  private static TestServer server;

  @BeforeAll
  static void startTlsServer() throws Exception {
    NodeClient.require("openai");
    dir = Files.createTempDirectory("hark-openai");
    cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Certificates.make(cert, key, "127.0.0.1");
    server = TestServer.vosk(ServerConfig.create(c -> {
      c.tlsCert = cert;
      c.tlsKey = key;
    }));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (dir != null) {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }

  private static List<JsonNode> events(JsonNode out, String type) {
    return StreamSupport.stream(out.path("events").spliterator(), false)
        .filter(e -> e.path("type").asText().equals(type)).toList();
  }

  @Test
  void serverVadTurnsComeBackAsTheClipsWords() throws Exception {
    Speech.Clip clip = Speech.clips().getFirst();
    JsonNode out = NodeClient.run("openai-client.mjs", server.port(), "any-key", cert, "vad", clip.wav());
    assertThat(WordErrors.of(clip.reference(), out.path("transcript").asText()).rate()).as(out.toString())
        .isLessThanOrEqualTo(0.25);
    assertThat(events(out, "session.created")).hasSize(1);
    assertThat(events(out, "session.created").getFirst().path("session").path("type").asText())
        .isEqualTo("transcription");
    assertThat(events(out, "session.updated")).hasSize(1);
    assertThat(events(out, "input_audio_buffer.speech_started")).isNotEmpty();
    assertThat(events(out, "input_audio_buffer.speech_stopped")).isNotEmpty();
    assertThat(events(out, "conversation.item.input_audio_transcription.delta")).isNotEmpty();
    List<String> committed = events(out, "input_audio_buffer.committed").stream()
        .map(e -> e.path("item_id").asText()).toList();
    List<String> completed = events(out, "conversation.item.input_audio_transcription.completed").stream()
        .map(e -> e.path("item_id").asText()).toList();
    assertThat(completed).isEqualTo(committed).doesNotHaveDuplicates();
    assertThat(events(out, "error")).isEmpty();
  }

  /**
   * The beta names (transcription_session.update, turn_detection null): a cleared second of speech never appears,
   * the commit's transcript is the clip's words once, and a commit with nothing appended is OpenAI's own error.
   */
  @Test
  void manualCommitsTheBetaNamesAndAClearWork() throws Exception {
    Speech.Clip clip = Speech.clips().getFirst();
    JsonNode out = NodeClient.run("openai-client.mjs", server.port(), "any-key", cert, "manual", clip.wav());
    assertThat(events(out, "transcription_session.updated")).hasSize(1);
    assertThat(events(out, "transcription_session.updated").getFirst().path("session").path("turn_detection")
        .isNull()).isTrue();
    assertThat(events(out, "input_audio_buffer.cleared")).hasSize(1);
    assertThat(events(out, "input_audio_buffer.speech_started")).as("no server VAD").isEmpty();
    assertThat(events(out, "conversation.item.input_audio_transcription.completed")).hasSize(1);
    assertThat(WordErrors.of(clip.reference(), out.path("transcript").asText()).rate()).as(out.toString())
        .isLessThanOrEqualTo(0.25);
    JsonNode error = events(out, "error").getFirst().path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("code").asText()).isEqualTo("input_audio_buffer_commit_empty");
  }

  /** Overload as OpenAI's client sees it: {@code error} events whose code names Hark's status, with its counts. */
  @Test
  void droppedAudioArrivesAsErrorEventsWithHarksStatus() throws Exception {
    Path key = dir.resolve("key.pem");
    try (TestServer slow = TestServer.start(new NoneEngine(5.0), TestServer.withoutCapacityControl(
        ServerConfig.create(c -> {
          c.tlsCert = cert;
          c.tlsKey = key;
        }).withIngest(ServerConfig.defaults().ingest().withQueue(4, 0))))) {
      JsonNode out = NodeClient.run("openai-client.mjs", slow.port(), "any-key", cert, "overload",
          Speech.clips().getFirst().wav());
      assertThat(events(out, "error")).as(out.toString()).anyMatch(e -> e.path("error").path("type").asText()
          .equals("server_error") && e.path("error").path("code").asText().startsWith("hark.")
          && e.path("hark").path("dropped_frames").asLong() > 0);
      assertThat(events(out, "conversation.item.input_audio_transcription.completed")).as("the commit answered")
          .isNotEmpty();
    }
  }

  /**
   * Malformed events on /v1/realtime (here over plain ws, which Hark also serves): each is answered with one
   * {@code error} event in OpenAI's shape, and the session still transcribes afterwards.
   */
  @Test
  void malformedEventsGetOpenAiShapedErrorsAndTheServerIsUnharmed() {
    try (TestServer plain = TestServer.start(new NoneEngine(0));
        WsClient c = WsClient.connect(plain.port(), OpenAiDialect.PATH + "?model=x", List.of())) {
      c.await(e -> e.path("type").asText().equals("session.created"), Duration.ofSeconds(10));
      MalformedCorpus corpus = new MalformedCorpus(13);
      int sent = 0;
      for (int i = 0; i < 200; i++) {
        MalformedCorpus.Message m = corpus.next();
        if (m.binary()) {
          c.sendBinary(m.bytes());
        } else {
          c.send(new String(m.bytes(), StandardCharsets.UTF_8));
        }
        sent++;
      }
      c.send("{\"type\":\"input_audio_buffer.append\",\"audio\":\"%%%\"}");
      c.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\"}}");
      c.send("{\"type\":\"session.update\",\"session\":{\"audio\":{\"input\":"
          + "{\"format\":{\"type\":\"audio/pcmu\"}}}}}");
      int expected = sent + 3;
      c.await(e -> c.seen().stream().filter(x -> x.path("type").asText().equals("error")).count() >= expected,
          Duration.ofSeconds(20));
      assertThat(c.seen()).filteredOn(e -> e.path("type").asText().equals("error")).hasSize(expected)
          .allMatch(e -> e.path("error").path("type").asText().equals("invalid_request_error")
              && !e.path("error").path("code").asText().isEmpty() && !e.path("error").path("message").isMissingNode());
      c.send("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Base64.getEncoder().encodeToString(new byte[4800])
          + "\"}");
      c.send("{\"type\":\"input_audio_buffer.commit\"}");
      c.await(e -> e.path("type").asText().equals("conversation.item.input_audio_transcription.completed"),
          Duration.ofSeconds(20));
    }
  }

  /**
   * Commits wait for the recognizer; past the bound of pending ones the next is refused in OpenAI's shape, and
   * every pending one is still answered with its transcript, once.
   */
  @Test
  void commitsPastTheBoundOfPendingOnesAreRefusedAndEachPendingOneIsAnswered() {
    GateEngine engine = new GateEngine();
    try (TestServer gated = TestServer.start(engine);
        WsClient c = WsClient.connect(gated.port(), OpenAiDialect.PATH, List.of())) {
      c.await(e -> e.path("type").asText().equals("session.created"), Duration.ofSeconds(10));
      String audio = "{\"type\":\"input_audio_buffer.append\",\"audio\":\""
          + Base64.getEncoder().encodeToString(new byte[4800]) + "\"}";
      c.send(audio);
      engine.awaitHeld(1); // the recognizer is stalled: commits stay pending
      for (int i = 0; i < SourceQueue.MAX_FLUSHES; i++) {
        c.send(audio).send("{\"type\":\"input_audio_buffer.commit\"}");
      }
      c.send(audio).send("{\"type\":\"input_audio_buffer.commit\",\"event_id\":\"one-too-many\"}");
      JsonNode refused = c.await(e -> e.path("type").asText().equals("error"), Duration.ofSeconds(10));
      assertThat(refused.path("error").path("code").asText()).isEqualTo("too_many_pending");
      assertThat(refused.path("error").path("event_id").asText()).isEqualTo("one-too-many");
      engine.open();
      for (int i = 0; i < SourceQueue.MAX_FLUSHES; i++) {
        c.await(e -> e.path("type").asText().equals("conversation.item.input_audio_transcription.completed"),
            Duration.ofSeconds(10));
      }
    }
  }
}
