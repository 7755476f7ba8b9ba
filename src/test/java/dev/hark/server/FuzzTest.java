package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hark.asr.NoneEngine;
import dev.hark.protocol.ErrorCode;
import dev.hark.testing.RawWs;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * 10,000 generated bad messages against a live server, and the WebSocket violations that must close a connection:
 * the server never fails, every bad message gets a typed error, and its metrics account for every message.
 */
class FuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> CODES = Arrays.stream(ErrorCode.values()).map(ErrorCode::wire)
      .collect(Collectors.toSet());
  private static final int MESSAGES = 10_000;

  private static double rejected(Scrape m) {
    return m.value("protocol_errors_total") - m.value("protocol_errors_total", "code", "asr_failed")
        - m.value("protocol_errors_total", "code", "recording_failed");
  }

  @Test
  void everyBadMessageGetsATypedErrorAndIsAccountedFor() throws Exception {
    ServerConfig config = ServerConfig.defaults().withSessionLimits(Duration.ofHours(1), 1_000_000);
    try (TestServer server = TestServer.start(new NoneEngine(0), config); RawWs ws = new RawWs(server.port())) {
      MalformedCorpus corpus = new MalformedCorpus(20261124L);
      ws.text("{\"type\":\"start\",\"sources\":[\"mic\",\"system\"]}");
      int sent = 1;
      int pings = 0;
      Map<String, Integer> kinds = new HashMap<>();
      for (int i = 0; i < MESSAGES; i++) {
        MalformedCorpus.Message m = corpus.next();
        kinds.merge(m.kind(), 1, Integer::sum);
        if (i % 97 == 0 && !m.binary()) {
          // A control frame at an odd time: a ping between the two fragments of a text message.
          int cut = m.bytes().length / 2;
          ws.frame(false, 1, Arrays.copyOfRange(m.bytes(), 0, cut));
          ws.frame(true, 9, "odd".getBytes(StandardCharsets.US_ASCII));
          ws.frame(true, 0, Arrays.copyOfRange(m.bytes(), cut, m.bytes().length));
        } else if (i % 89 == 0) {
          ws.frame(true, 10, new byte[0]); // an unsolicited pong, then the message
          ws.frame(true, m.binary() ? 2 : 1, m.bytes());
        } else {
          ws.frame(true, m.binary() ? 2 : 1, m.bytes());
        }
        sent++;
        if (i % 200 == 199) {
          ws.text("{\"type\":\"ping\"}"); // keeps client and server in step, so no reply is shed
          sent++;
          pings++;
        }
      }
      ws.text("{\"type\":\"stop\"}");
      sent++;
      Map<String, Integer> errors = new HashMap<>();
      int pongs = 0;
      for (RawWs.Frame f = ws.next(30); f != null && f != RawWs.EOF; f = ws.next(30)) {
        if (f.opcode() == 1) {
          JsonNode msg = JSON.readTree(f.text());
          String type = msg.path("type").asText();
          if (type.equals("error")) {
            assertThat(CODES).contains(msg.path("code").asText());
            errors.merge(msg.path("code").asText(), 1, Integer::sum);
          } else if (type.equals("pong")) {
            pongs++;
          } else if (type.equals("stopped")) {
            JsonNode stats = msg.path("stats");
            assertThat(stats.path("frames_received").asLong())
                .isEqualTo(stats.path("frames_accepted").asLong() + stats.path("frames_dropped").asLong());
          }
        } else if (f.opcode() == 8) {
          assertThat(f.closeCode()).isEqualTo(1000);
          break;
        }
      }
      assertThat(pongs).isEqualTo(pings);
      Scrape m = server.scrape();
      long received = m.count("messages_received_total");
      long rejected = Math.round(rejected(m));
      long audio = m.count("audio_frames_received_total");
      assertThat(received).as("every message read").isEqualTo(sent);
      // received = accepted (start, stop, pings, audio) + rejected (typed errors); audio then = consumed + dropped.
      assertThat(received).isEqualTo(2 + pings + audio + rejected);
      assertThat(audio).isEqualTo(m.count("audio_frames_consumed_total") + m.count("audio_frames_dropped_total"));
      assertThat(errors.values().stream().mapToLong(Integer::intValue).sum()).as("one error per bad message")
          .isEqualTo(rejected);
      assertThat(kinds.keySet()).hasSize(9);
      assertThat(errors.keySet()).contains("bad_json", "bad_message", "bad_audio", "bad_base64", "bad_source",
          "unknown_type", "unknown_source", "bad_sample_rate", "bad_state");
    }
  }

  /** Frames that break RFC 6455 close the connection with 1002 (or 1009 when too big); the server goes on. */
  @Test
  void protocolViolationsCloseWithDocumentedCodesAndTheServerGoesOn() throws Exception {
    ServerConfig config = ServerConfig.defaults().withMaxMessageBytes(64 * 1024);
    try (TestServer server = TestServer.start(new NoneEngine(0), config)) {
      byte[] small = "{\"type\":\"ping\"}".getBytes(StandardCharsets.US_ASCII);
      Map<String, Violation> cases = Map.of(
          "rsv1 set", ws -> ws.frame(0xC1, small, true),
          "unknown opcode", ws -> ws.frame(0x83, small, true),
          "unmasked client frame", ws -> ws.frame(0x81, small, false),
          "fragmented ping", ws -> ws.frame(false, 9, small),
          "ping over 125 bytes", ws -> ws.frame(true, 9, new byte[200]),
          "continuation with nothing to continue", ws -> ws.frame(true, 0, small),
          "new message inside a fragmented one", ws -> {
            ws.frame(false, 1, small);
            ws.frame(true, 1, small);
          },
          "message over the limit", ws -> ws.frame(true, 1, new byte[64 * 1024 + 1]));
      for (Map.Entry<String, Violation> c : cases.entrySet()) {
        try (RawWs ws = new RawWs(server.port())) {
          try {
            c.getValue().send(ws);
          } catch (IOException e) {
            // The server may close before the whole violation is written (an oversized frame, at its header).
          }
          RawWs.Frame f = ws.next(10);
          assertThat(f).as(c.getKey()).isNotNull();
          if (f != RawWs.EOF) {
            assertThat(f.opcode()).as(c.getKey()).isEqualTo(8);
            assertThat(f.closeCode()).as(c.getKey()).isIn(1002, 1009);
          }
        }
      }
      await().untilAsserted(() -> assertThat(server.scrape().count("sessions_active")).isZero());
      try (RawWs ws = new RawWs(server.port())) {
        ws.text("{\"type\":\"ping\"}");
        assertThat(ws.next(10).text()).contains("pong");
      }
    }
  }

  @FunctionalInterface
  interface Violation {
    void send(RawWs ws) throws Exception;
  }
}
