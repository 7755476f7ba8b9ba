package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.NoneEngine;
import dev.hark.client.WordErrors;
import dev.hark.testing.Scrape;
import dev.hark.testing.SharedServer;
import dev.hark.testing.Speech;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client written to vosk-server's documented protocol (its {@code asr_server.py}): configuration first, audio
 * as binary frames of 8000 bytes, one reply awaited per message, {@code {"eof" : 1}} for the last result, then the
 * server closes. Against the real recognizer, through Hark's {@code /vosk}.
 */
class VoskProtocolTest {
  @RegisterExtension
  static final SharedServer server = new SharedServer(TestServer::vosk);

  /** Sends {@code message} and waits for its one reply, as vosk-server's clients do. */
  private static JsonNode exchange(WsClient c, Runnable send) {
    int before = c.seen().size();
    send.run();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1)).until(() -> c.seen().size() > before);
    assertThat(c.seen()).as("one reply per message").hasSize(before + 1);
    return c.seen().getLast();
  }

  @Test
  void aVoskClientGetsOneReplyPerMessageAndTheWordsOfTheClip() {
    Speech.Clip clip = Speech.clips().getFirst();
    try (WsClient c = WsClient.connect(server.port(), VoskDialect.PATH, List.of())) {
      c.send("{ \"config\" : { \"sample_rate\" : 16000 } }"); // answered with nothing
      List<String> heard = new ArrayList<>();
      int messages = 0;
      for (int i = 0; i < clip.pcm().length; i += 8000) {
        byte[] chunk = Arrays.copyOfRange(clip.pcm(), i, Math.min(clip.pcm().length, i + 8000));
        JsonNode reply = exchange(c, () -> c.sendBinary(chunk));
        messages++;
        assertThat(reply.has("partial") || reply.has("text")).as(reply.toString()).isTrue();
        if (reply.has("text")) {
          heard.add(reply.path("text").asText());
        }
      }
      JsonNode last = exchange(c, () -> c.send("{\"eof\" : 1}"));
      heard.add(last.path("text").asText());
      assertThat(last.path("result").isArray()).isTrue();
      for (JsonNode w : last.path("result")) {
        assertThat(w.path("end").asDouble()).isGreaterThanOrEqualTo(w.path("start").asDouble());
        assertThat(w.path("conf").asDouble()).isBetween(0.0, 1.0);
      }
      assertThat(c.awaitClose()).isEqualTo(1000);
      assertThat(c.seen()).hasSize(messages + 1);
      assertThat(WordErrors.of(clip.reference(), String.join(" ", heard)).rate()).isLessThanOrEqualTo(0.25);
    }
  }

  /**
   * Overload as a vosk client sees it: a recognizer five times slower than real time behind a four-chunk queue drops
   * most of the audio, and the client still gets exactly one reply per message and its last result; the drops are
   * counted on /metrics, since the protocol has no word for them.
   */
  @Test
  void overloadedTheClientStillGetsOneReplyPerMessageAndTheDropsAreCounted() {
    try (TestServer slow = TestServer.startWithoutCapacityControl(new NoneEngine(5.0), s -> s.withQueue(4, 0));
        WsClient c = WsClient.connect(slow.port(), VoskDialect.PATH, List.of())) {
      c.send("{\"config\" : {\"sample_rate\" : 16000}}");
      for (int i = 0; i < 40; i++) {
        exchange(c, () -> c.sendBinary(new byte[640]));
      }
      JsonNode last = exchange(c, () -> c.send("{\"eof\" : 1}"));
      assertThat(last.has("text")).isTrue();
      assertThat(c.awaitClose()).isEqualTo(1000);
      assertThat(c.seen()).hasSize(41);
      var m = slow.scrape();
      assertThat(m.count("audio_frames_dropped_total", "source", "mic")).as("dropped, whatever the reason")
          .isPositive();
      assertThat(m.count("audio_frames_received_total", "source", "mic")).isEqualTo(40);
    }
  }

  /**
   * Malformed input on /vosk, as /ws/live gets it: text that is not configuration or eof, broken JSON, invalid UTF-8
   * and binary garbage of any length are each answered once (vosk-server would treat them as audio), and the
   * session still ends cleanly.
   */
  @Test
  void malformedMessagesEachGetOneReplyAndTheServerIsUnharmed() {
    MalformedCorpus corpus = new MalformedCorpus(7);
    try (WsClient c = WsClient.connect(server.port(), VoskDialect.PATH, List.of())) {
      int sent = 0;
      for (int i = 0; i < 300; i++) {
        MalformedCorpus.Message m = corpus.next();
        String text = new String(m.bytes(), StandardCharsets.UTF_8);
        if (!m.binary() && (text.contains("eof") || text.contains("config"))) {
          continue; // those are the protocol's own words, tested above
        }
        if (m.binary()) {
          exchange(c, () -> c.sendBinary(m.bytes()));
        } else {
          exchange(c, () -> c.send(text));
        }
        sent++;
      }
      JsonNode last = exchange(c, () -> c.send("{\"eof\" : 1}"));
      assertThat(last.has("text")).isTrue();
      assertThat(c.awaitClose()).isEqualTo(1000);
      assertThat(c.seen()).hasSize(sent + 1);
    }
    assertThat(Scrape.get(server.port(), "/healthz").statusCode()).isEqualTo(200);
  }

  /** With --vosk-port, a vosk client that connects to a root URL (or any path) of that port is served. */
  @Test
  void onTheVoskPortEveryPathSpeaksVosk() {
    try (TestServer both = TestServer.start(new NoneEngine(0), ServerConfig.create(c -> c.voskPort = 0));
        WsClient c = WsClient.connect(both.server().voskPort(), "/", List.of())) {
      assertThat(both.server().voskPort()).isNotEqualTo(both.port());
      c.send("{\"config\" : {\"sample_rate\" : 8000}}");
      assertThat(exchange(c, () -> c.sendBinary(new byte[1600])).has("partial")).isTrue();
      assertThat(exchange(c, () -> c.send("{\"eof\" : 1}")).has("text")).isTrue();
      assertThat(c.awaitClose()).isEqualTo(1000);
      assertThat(Scrape.get(both.server().voskPort(), "/healthz").statusCode()).isEqualTo(200);
    }
  }

  /**
   * Over --max-messages-per-s, audio is dropped and counted but every message is still answered, and eof is never
   * dropped: the client ends cleanly with its last result.
   */
  @Test
  void overTheRateEveryMessageIsAnsweredAndEofStillEnds() {
    ServerConfig d = ServerConfig.defaults();
    try (TestServer limited = TestServer.start(new NoneEngine(0), d.withSessionLimits(d.maxSessionDuration(), 20));
        WsClient c = WsClient.connect(limited.port(), VoskDialect.PATH, List.of())) {
      for (int i = 0; i < 60; i++) {
        exchange(c, () -> c.sendBinary(new byte[640]));
      }
      JsonNode last = exchange(c, () -> c.send("{\"eof\" : 1}"));
      assertThat(last.has("text")).isTrue();
      assertThat(c.awaitClose()).isEqualTo(1000);
      assertThat(c.seen()).hasSize(61);
      assertThat(limited.scrape().count("protocol_errors_total", "code", "rate_limited")).isPositive();
    }
  }

  /**
   * Every sample rate Hark cannot take, of whatever kind, ends the connection the same way (vosk's protocol has no
   * error message), saying why: too low, too high, negative, not whole, not a number, an array, an object, null.
   */
  @Test
  void everySampleRateHarkCannotTakeClosesWithTheReason() {
    long before = server.scrape().count("protocol_errors_total", "code", "bad_sample_rate");
    List<String> bad = List.of("4000", "1", "1e9", "-1", "16000.5", "\"fast\"", "[16000]", "{\"hz\":16000}", "null");
    for (String rate : bad) {
      try (WsClient c = WsClient.connect(server.port(), VoskDialect.PATH, List.of())) {
        c.send("{\"config\" : {\"sample_rate\" : " + rate + "}}");
        assertThat(c.awaitClose()).as(rate).isEqualTo(1008);
        assertThat(c.closeReason()).as(rate).contains("8000").contains("48000");
        assertThat(c.seen()).as(rate).isEmpty();
      }
    }
    assertThat(server.scrape().count("protocol_errors_total", "code", "bad_sample_rate") - before)
        .isEqualTo(bad.size());
  }

  /** vosk-server reads the rate with Python's float(): a whole number written as a string or a float is a rate. */
  @Test
  void aRateWrittenAsAStringOrAFloatIsTaken() {
    for (String rate : List.of("\"8000\"", "16000.0")) {
      try (WsClient c = WsClient.connect(server.port(), VoskDialect.PATH, List.of())) {
        c.send("{\"config\" : {\"sample_rate\" : " + rate + "}}");
        assertThat(exchange(c, () -> c.sendBinary(new byte[1600])).has("partial")).as(rate).isTrue();
        assertThat(exchange(c, () -> c.send("{\"eof\" : 1}")).has("text")).as(rate).isTrue();
        assertThat(c.awaitClose()).as(rate).isEqualTo(1000);
      }
    }
  }

  @Test
  void withoutConfigurationTheDefaultRateAppliesAndEofStillEndsIt() {
    try (WsClient c = WsClient.connect(server.port(), VoskDialect.PATH, List.of())) {
      JsonNode reply = exchange(c, () -> c.sendBinary(new byte[3200]));
      assertThat(reply.path("partial").asText()).isEmpty();
      JsonNode last = exchange(c, () -> c.send("{\"eof\" : 1}"));
      assertThat(last.path("text").asText()).isEmpty();
      assertThat(c.awaitClose()).isEqualTo(1000);
    }
  }
}
