package dev.hark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.asr.NoneEngine;
import dev.hark.client.JsonObjects;
import dev.hark.server.ServerConfig;
import dev.hark.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code hark bench} against a real server: its counts must agree with what the server says it received. */
class BenchCommandTest {
  static Map<String, Object> bench(TestServer server, String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "bench";
    all[1] = "--url=ws://127.0.0.1:" + server.port() + "/ws/live";
    all[2] = "--json";
    System.arraycopy(args, 0, all, 3, args.length);
    StreamCommandTest.Run r = StreamCommandTest.hark(all);
    assertThat(r.code()).as(r.err()).isZero();
    return JsonObjects.parse(r.out().strip());
  }

  @Test
  void pacedRunSendsExactlyTheAudioAndReadsTheServersNumbers() {
    try (TestServer server = TestServer.start(new NoneEngine(0))) {
      Map<String, Object> r = bench(server, "--sessions=10", "--sources=2", "--duration=1s", "--ramp=200ms");
      assertThat(JsonObjects.num(r, "sessions_connected")).isEqualTo(10);
      assertThat(JsonObjects.num(r, "frames_sent")).isEqualTo(10 * 2 * 50);
      assertThat(JsonObjects.num(r, "frames_accepted")).isEqualTo(1000);
      assertThat(JsonObjects.num(r, "frames_dropped")).isZero();
      assertThat(server.scrape().count("audio_frames_received_total")).isEqualTo(1000);
      assertThat(r).containsKeys("queue_wait_ms_p99", "server_us_per_frame", "stop_to_stopped_ms_p99", "client_cores",
          "client_cores_steady");
    }
  }

  @Test
  void flatRunAgainstASlowRecognizerCountsDropsAndRefusals() {
    // Flat out is far over the default --max-messages-per-s: lift it, as docs/benchmarks.md says for flat runs.
    ServerConfig d = ServerConfig.defaults();
    ServerConfig config = d.withIngest(d.ingest().withLimits(2, 3)).withSessionLimits(d.maxSessionDuration(),
        10_000_000);
    // No capacity control: what is counted here is drops and refusals for --max-sessions, not sheds.
    try (TestServer server = TestServer.start(new NoneEngine(1.0), TestServer.withoutCapacityControl(config))) {
      Map<String, Object> r = bench(server, "--sessions=5", "--sources=1", "--duration=1s", "--flat", "--binary");
      assertThat(JsonObjects.num(r, "sessions_connected")).isEqualTo(3);
      assertThat(JsonObjects.num(r, "sessions_refused")).isEqualTo(2);
      assertThat(r.get("refused_http_statuses")).isEqualTo("503:2");
      long sent = JsonObjects.num(r, "frames_sent");
      assertThat(JsonObjects.num(r, "frames_dropped")).isPositive();
      assertThat(JsonObjects.num(r, "frames_accepted") + JsonObjects.num(r, "frames_dropped")).isEqualTo(sent);
      assertThat(JsonObjects.num(r, "server_frames_dropped")).isEqualTo(JsonObjects.num(r, "frames_dropped"));
      assertThat(JsonObjects.num(r, "backpressure_statuses")).isPositive();
      // Dropped from full queues, not shed: every session that lost audio lost part of a stream it kept.
      assertThat(JsonObjects.num(r, "sessions_losing_part")).isPositive()
          .isEqualTo(JsonObjects.num(r, "sessions_losing_audio"));
      assertThat(JsonObjects.num(r, "sessions_shed_whole")).isZero();
    }
  }

  /** Two clips with pauses, against the real recognizer: each session's words are counted against the clips'. */
  @Test
  void speechRunCountsEachSessionsWordErrors() {
    String dir = "src/test/resources/speech/";
    try (TestServer server = TestServer.vosk()) {
      Map<String, Object> r = bench(server, "--sessions=2", "--sources=1", "--duration=1s",
          "--file=" + dir + "sense_and_sensibility_01_austen_64kb-0880.wav",
          "--file=" + dir + "sense_and_sensibility_01_austen_64kb-0930.wav", "--pause=300ms",
          "--reference=" + dir + "transcripts.tsv");
      assertThat(JsonObjects.num(r, "frames_dropped")).isZero();
      // One whole pass (the duration is rounded up to it): 8 + 8 reference words a session.
      assertThat(JsonObjects.num(r, "reference_words")).isEqualTo(32);
      assertThat(((Number) r.get("wer_pct")).doubleValue()).isLessThanOrEqualTo(25.0);
      assertThat(JsonObjects.num(r, "finals")).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void referenceWithoutTheFilesLineIsRefused() {
    StreamCommandTest.Run r = StreamCommandTest.hark("bench", "--url=ws://127.0.0.1:9/ws/live",
        "--file=src/test/resources/speech/sense_and_sensibility_01_austen_64kb-0880.wav",
        "--reference=src/test/resources/speech/README.md");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("no line for sense_and_sensibility_01_austen_64kb-0880");
  }

  @Test
  void idleRunHoldsSessionsWithoutAudio() {
    try (TestServer server = TestServer.start(new NoneEngine(0))) {
      Map<String, Object> r = bench(server, "--sessions=5", "--duration=500ms", "--idle");
      assertThat(JsonObjects.num(r, "sessions_connected")).isEqualTo(5);
      assertThat(JsonObjects.num(r, "frames_sent")).isZero();
      assertThat(server.scrape().count("audio_frames_received_total")).isZero();
    }
  }

  @Test
  void refusesTlsUrlsWithOneClearLine() {
    StreamCommandTest.Run r = StreamCommandTest.hark("bench", "--url=wss://127.0.0.1:1/ws/live");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--url must be ws://");
  }

  @Test
  void sessionsOverThePerAddressLimitAreCountedAndExplained() {
    ServerConfig d = ServerConfig.defaults();
    ServerConfig config = d.withAccess(new dev.hark.server.AccessSettings(null, List.of(), 3, false));
    try (TestServer server = TestServer.start(new NoneEngine(0), config)) {
      StreamCommandTest.Run r = StreamCommandTest.hark("bench", "--url=ws://127.0.0.1:" + server.port() + "/ws/live",
          "--json", "--sessions=5", "--duration=300ms");
      assertThat(r.code()).isZero();
      Map<String, Object> result = JsonObjects.parse(r.out().strip());
      assertThat(result.get("refused_http_statuses")).isEqualTo("429:2");
      assertThat(r.err()).contains("--max-sessions-per-ip");
    }
  }
}
