package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.NoneEngine;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.MessageDecoder;
import dev.hark.testing.ChunkEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.Scrape;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resumable sessions in Hark's own protocol, message by message over real WebSockets: acks, the resume token and
 * its refusals, the same timeline and sources after a resume, frames never re-sent counted as {@code disconnected},
 * finals made while no one was connected sent on resume, and a token that resumes once.
 */
class ResumeTest {
  @TempDir
  Path dir;

  private static String resumeStart(String id, String token, long finals) {
    return "{\"type\":\"start\",\"resume\":{\"session_id\":\"" + id + "\",\"token\":\"" + token + "\",\"finals\":"
        + finals + "}}";
  }

  private static void awaitAwaiting(TestServer server, long n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> server.scrape().count("sessions_awaiting_resume") == n);
  }

  @Test
  void aLostSessionIsResumedWithItsTimelineAndEveryFrameAccountedFor() {
    try (TestServer server = TestServer.start(new NoneEngine(0))) {
      WsClient c1 = server.connect();
      JsonNode ready = c1.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      String id = ready.path("session_id").asText();
      String token = ready.path("resume_token").asText();
      assertThat(id).startsWith(ServerConfig.defaults().nodeName() + ".");
      assertThat(token).hasSizeGreaterThanOrEqualTo(22); // 128 bits in URL-safe Base64
      for (int i = 0; i < 10; i++) {
        c1.send(WsClient.audioJson("mic", Pcm.chunk(i), i));
      }
      JsonNode ack = c1.await(m -> m.path("type").asText().equals("ack") && m.path("seq").asLong() == 9,
          Duration.ofSeconds(5));
      assertThat(ack.path("source").asText()).isEqualTo("mic");
      c1.abort();
      awaitAwaiting(server, 1);
      assertThat(server.scrape().count("sessions_active")).as("it keeps its slot").isEqualTo(1);

      try (WsClient wrong = WsClient.connect(server.port(), "/ws/live?resume=" + id, List.of())) {
        wrong.send(resumeStart(id, "not-the-token", 0));
        assertThat(wrong.awaitError(ErrorCode.RESUME_DENIED.wire()).path("message").asText()).contains("token");
      }
      try (WsClient unknown = WsClient.connect(server.port(), "/ws/live?resume=nobody.123", List.of())) {
        unknown.send(resumeStart("nobody.123", token, 0));
        unknown.awaitError(ErrorCode.RESUME_UNKNOWN.wire());
      }
      WsClient c2 = WsClient.connect(server.port(), "/ws/live?resume=" + id, List.of());
      JsonNode resumed = c2.send(resumeStart(id, token, 0)).awaitType("ready");
      assertThat(resumed.path("resumed").asBoolean()).isTrue();
      assertThat(resumed.path("session_id").asText()).isEqualTo(id);
      assertThat(resumed.path("next_seq").path("mic").asLong()).isEqualTo(10);
      assertThat(resumed.path("resume_token").asText()).isNotEqualTo(token);
      try (WsClient again = WsClient.connect(server.port(), "/ws/live?resume=" + id, List.of())) {
        again.send(resumeStart(id, token, 0)); // the old token resumed once already
        again.awaitError(ErrorCode.RESUME_DENIED.wire());
      }
      // Frames 10 and 11 were never sent again: lost with the connection, and the timeline skips them.
      c2.send(WsClient.audioJson("mic", Pcm.chunk(9), 9)); // a duplicate: it had arrived before the loss
      for (int i = 12; i < 20; i++) {
        c2.send(WsClient.audioJson("mic", Pcm.chunk(i), i));
      }
      JsonNode stats = c2.send("{\"type\":\"stop\"}").awaitType("stopped").path("stats").path("sources")
          .path("mic");
      assertThat(stats.path("frames_received").asLong()).isEqualTo(10 + 1 + 2 + 8);
      assertThat(stats.path("dropped_by_reason").path("disconnected").asLong()).isEqualTo(2);
      assertThat(stats.path("dropped_by_reason").path("duplicate").asLong()).isEqualTo(1);
      assertThat(stats.path("frames_received").asLong()).isEqualTo(stats.path("frames_accepted").asLong()
          + stats.path("frames_dropped").asLong());
      assertThat(stats.path("audio_ms").asLong()).as("the timeline counts the lost frames").isEqualTo(20 * 20);
      assertThat(c2.awaitClose()).isEqualTo(1000);
      var m = server.scrape();
      assertThat(m.count("sessions_resumes_total", "outcome", "resumed")).isEqualTo(1);
      assertThat(m.count("sessions_resumes_total", "outcome", "denied")).isEqualTo(2);
      assertThat(m.count("sessions_active")).isZero();
    }
  }

  /**
   * A {@code seq} far past {@code next_seq} after a resume is believed only as far as the message rate allows: the
   * frames the client could have sent since the session began are counted as {@code disconnected} and move the
   * timeline; the rest of the jump is a gap in its numbering ({@code seq_missing}), as any gap is. Neither the
   * counters nor the timeline overflow.
   */
  @Test
  void aHugeSeqAfterAResumeIsBoundedByTheMessageRate() {
    long t0 = System.nanoTime();
    try (TestServer server = TestServer.start(new NoneEngine(0))) {
      WsClient c1 = server.connect();
      JsonNode ready = c1.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      for (int i = 0; i < 3; i++) {
        c1.send(WsClient.audioJson("mic", Pcm.chunk(i, 64_000), i)); // 2 s each
      }
      c1.await(m -> m.path("type").asText().equals("ack") && m.path("seq").asLong() == 2, Duration.ofSeconds(5));
      c1.abort();
      awaitAwaiting(server, 1);
      String id = ready.path("session_id").asText();
      WsClient c2 = WsClient.connect(server.port(), "/ws/live?resume=" + id, List.of());
      c2.send(resumeStart(id, ready.path("resume_token").asText(), 0)).awaitType("ready");
      long max = MessageDecoder.MAX_SEQ;
      c2.send(WsClient.audioJson("mic", Pcm.chunk(3, 64_000), max));
      JsonNode gap = c2.awaitStatus("gap");
      JsonNode stats = c2.send("{\"type\":\"stop\"}").awaitType("stopped").path("stats").path("sources")
          .path("mic");
      long allowed = 500 * ((System.nanoTime() - t0) / 1_000_000_000L + 1); // the default --max-messages-per-s
      long received = stats.path("frames_received").asLong();
      long disconnected = stats.path("dropped_by_reason").path("disconnected").asLong();
      assertThat(received).isLessThanOrEqualTo(allowed).isEqualTo(3 + disconnected + 1);
      assertThat(disconnected).isPositive();
      assertThat(received).isEqualTo(stats.path("frames_accepted").asLong() + stats.path("frames_dropped").asLong());
      assertThat(stats.path("audio_ms").asLong()).as("every frame is 2 s").isEqualTo(received * 2000);
      assertThat(stats.path("seq_missing").asLong()).isEqualTo(max - 3 - disconnected);
      assertThat(gap.path("received_seq").asLong()).isEqualTo(max);
      assertThat(gap.path("expected_seq").asLong()).isEqualTo(3 + disconnected);
      Scrape m = server.scrape();
      assertThat(m.count("audio_frames_received_total")).isEqualTo(received);
      assertThat(m.count("audio_frames_dropped_total", "reason", "disconnected")).isEqualTo(disconnected);
      assertThat(m.count("audio_frames_received_total")).isEqualTo(m.count("audio_frames_consumed_total")
          + m.count("audio_frames_dropped_total"));
    }
  }

  /**
   * Attacks on the numbers of a resume, resumed again and again: out-of-range {@code seq} and {@code finals} are
   * refused with {@code bad_message}, a {@code seq} back below {@code next_seq} is a duplicate, and a jump to 2^53-1
   * never makes the server count more frames than the client could have sent nor move the timeline past them.
   */
  @Test
  void outOfRangeNumbersAfterAResumeAreRefusedOrBounded() {
    long t0 = System.nanoTime();
    long max = MessageDecoder.MAX_SEQ;
    try (TestServer server = TestServer.start(new NoneEngine(0))) {
      WsClient c = server.connect();
      JsonNode ready = c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      String id = ready.path("session_id").asText();
      String token = ready.path("resume_token").asText();
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), 0));
      for (int round = 0; round < 3; round++) {
        c.send("{\"type\":\"ping\"}").awaitType("pong"); // what was sent before has been taken
        c.abort();
        awaitAwaiting(server, 1);
        WsClient refused = WsClient.connect(server.port(), "/ws/live?resume=" + id, List.of());
        refused.send(resumeStart(id, token, -1)).awaitError(ErrorCode.BAD_MESSAGE.wire());
        refused.abort(); // a resume must be a connection's first message: the good one comes on a new one
        c = WsClient.connect(server.port(), "/ws/live?resume=" + id, List.of());
        JsonNode resumed = c.send(resumeStart(id, token, Long.MAX_VALUE)).awaitType("ready");
        assertThat(resumed.path("next_seq").path("mic").asLong()).isBetween(1L, max + 1);
        token = resumed.path("resume_token").asText();
        for (String seq : List.of("-1", "-9223372036854775808", String.valueOf(max + 1), "9223372036854775807",
            "18446744073709551616", "1e300", "0.5")) {
          c.send("{\"type\":\"audio\",\"source\":\"mic\",\"data\":\"AAAA\",\"seq\":" + seq + "}")
              .awaitError(ErrorCode.BAD_MESSAGE.wire());
        }
        c.send(WsClient.audioJson("mic", Pcm.chunk(1), 0)); // below next_seq: a duplicate
        c.send(WsClient.audioJson("mic", Pcm.chunk(2), max - round)); // the largest jumps
      }
      JsonNode stats = c.send("{\"type\":\"stop\"}").awaitType("stopped").path("stats").path("sources")
          .path("mic");
      long allowed = 500 * ((System.nanoTime() - t0) / 1_000_000_000L + 1); // the default --max-messages-per-s
      long received = stats.path("frames_received").asLong();
      assertThat(stats.path("dropped_by_reason").path("disconnected").asLong()).isPositive()
          .isLessThanOrEqualTo(allowed);
      assertThat(stats.path("audio_ms").asLong()).as("every frame is 20 ms, duplicates are not on the timeline")
          .isEqualTo((received - stats.path("dropped_by_reason").path("duplicate").asLong()) * 20);
      assertThat(stats.path("seq_missing").asLong()).isBetween(0L, max);
      Scrape m = server.scrape();
      assertThat(m.count("audio_frames_received_total")).isEqualTo(received);
      assertThat(m.count("audio_frames_received_total")).isEqualTo(m.count("audio_frames_consumed_total")
          + m.count("audio_frames_dropped_total"));
      assertThat(m.count("protocol_errors_total", "code", "bad_message")).isEqualTo(3 * 8);
    }
  }

  /**
   * Finals made while no one was connected, and those the client says it never got, are sent after the resumed
   * ready; none twice.
   */
  @Test
  void finalsMadeWhileDisconnectedArriveAfterTheResume() throws Exception {
    // A final per chunk, at twice real time, so most are made after the client is gone.
    ChunkEngine engine = new ChunkEngine("finals", (pcm, at, n, startMs, out) -> {
      Thread.sleep(10);
      out.onResult("chunk " + startMs, true, startMs, startMs + 20, List.of());
    });
    try (TestServer server = TestServer.start(engine, ServerConfig.defaults().withIngest(
        ServerConfig.defaults().ingest().withQueue(64, 0)))) {
      WsClient c1 = server.connect();
      JsonNode ready = c1.send("{\"type\":\"start\",\"sources\":[\"mic\"],\"overflow\":\"block\"}")
          .awaitType("ready");
      for (int i = 0; i < 40; i++) {
        c1.send(WsClient.audioJson("mic", Pcm.chunk(i), i));
      }
      c1.await(m -> m.path("type").asText().equals("transcript"), Duration.ofSeconds(5));
      c1.abort();
      long had = c1.seen().stream().filter(m -> m.path("type").asText().equals("transcript")).count();
      awaitAwaiting(server, 1);
      Set<Long> starts = new TreeSet<>();
      c1.seen().stream().filter(m -> m.path("type").asText().equals("transcript"))
          .forEach(m -> starts.add(m.path("start_ms").asLong()));
      Thread.sleep(1000); // the rest is decoded while no one is connected
      try (WsClient c2 = WsClient.connect(server.port(), "/ws/live?resume=" + ready.path("session_id").asText(),
          List.of())) {
        c2.send(resumeStart(ready.path("session_id").asText(), ready.path("resume_token").asText(), had));
        c2.awaitType("ready");
        c2.send("{\"type\":\"stop\"}").awaitType("stopped");
        for (JsonNode m : c2.seen()) {
          if (m.path("type").asText().equals("transcript")) {
            assertThat(starts.add(m.path("start_ms").asLong())).as("sent twice: " + m).isTrue();
          }
        }
      }
      assertThat(starts).hasSize(40);
    }
  }

  /**
   * A resume must be the connection's first message: after a ping, an unknown message or a refused resume it is
   * {@code bad_state} and resumes nothing; as the first message of the next connection it resumes.
   */
  @Test
  void aResumeAfterAnyOtherMessageIsBadState() {
    try (TestServer server = TestServer.start(new NoneEngine(0))) {
      WsClient c1 = server.connect();
      JsonNode ready = c1.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      c1.abort();
      awaitAwaiting(server, 1);
      String id = ready.path("session_id").asText();
      String token = ready.path("resume_token").asText();
      for (String before : List.of("{\"type\":\"ping\"}", "{\"type\":\"nonsense\"}", resumeStart(id, "wrong", 0))) {
        try (WsClient c = WsClient.connect(server.port(), "/ws/live?resume=" + id, List.of())) {
          c.send(before).send(resumeStart(id, token, 0));
          assertThat(c.awaitError(ErrorCode.BAD_STATE.wire()).path("message").asText()).as(before)
              .contains("first message");
          assertThat(c.seen()).as(before).noneMatch(m -> m.path("type").asText().equals("ready"));
        }
      }
      try (WsClient c2 = WsClient.connect(server.port(), "/ws/live?resume=" + id, List.of())) {
        assertThat(c2.send(resumeStart(id, token, 0)).awaitType("ready").path("resumed").asBoolean()).isTrue();
      }
    }
  }

  /** Once the window has passed the session is gone: a resume is told so, in a typed error. */
  @Test
  void aResumeAfterTheWindowIsUnknown() {
    try (TestServer server = TestServer.start(new NoneEngine(0),
        ServerConfig.create(c -> c.resumeWindow = Duration.ofMillis(300)))) {
      WsClient c1 = server.connect();
      JsonNode ready = c1.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      c1.send(WsClient.audioJson("mic", Pcm.chunk(0), 0));
      c1.abort();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.scrape().count("sessions_resumes_total", "outcome",
          "expired") == 1);
      String id = ready.path("session_id").asText();
      try (WsClient late = WsClient.connect(server.port(), "/ws/live?resume=" + id, List.of())) {
        late.send(resumeStart(id, ready.path("resume_token").asText(), 0));
        assertThat(late.awaitError(ErrorCode.RESUME_UNKNOWN.wire()).path("message").asText()).contains(id);
        // The connection is still a session of its own, not started: a plain start opens it.
        assertThat(late.send("{\"type\":\"start\"}").awaitType("ready").path("session_id").asText()).isNotEqualTo(id);
      }
    }
  }

  /** A resume must carry the access token the session was opened with, not merely any valid one. */
  @Test
  void aResumeWithAnotherAccessTokenIsDenied() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "alice-token\nbob-token\n");
    ServerConfig config = ServerConfig.defaults().withAccess(new AccessSettings(tokens, List.of(), 64, false));
    try (TestServer server = TestServer.start(new NoneEngine(0), config)) {
      WsClient alice = WsClient.connect(server.port(), "/ws/live?token=alice-token", List.of());
      JsonNode ready = alice.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      alice.abort();
      awaitAwaiting(server, 1);
      String id = ready.path("session_id").asText();
      String token = ready.path("resume_token").asText();
      try (WsClient bob = WsClient.connect(server.port(), "/ws/live?token=bob-token&resume=" + id, List.of())) {
        bob.send(resumeStart(id, token, 0));
        assertThat(bob.awaitError(ErrorCode.RESUME_DENIED.wire()).path("message").asText()).contains("access");
      }
      try (WsClient again = WsClient.connect(server.port(), "/ws/live?token=alice-token&resume=" + id, List.of())) {
        assertThat(again.send(resumeStart(id, token, 0)).awaitType("ready").path("resumed").asBoolean()).isTrue();
      }
    }
  }
}
