package dev.hark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.testing.CuttingRelay;
import dev.hark.testing.SharedServer;
import dev.hark.testing.Speech;
import dev.hark.testing.TestServer;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code hark stream} through a relay that cuts its TCP connection mid-stream (a reset, as a failing link gives),
 * against the real recognizer: the client resumes by itself, sends again what the server had not acknowledged, and
 * ends with the transcript an uncut run gives, every frame accounted for and none dropped.
 */
class ResumeStreamTest {
  @RegisterExtension
  static final SharedServer server = new SharedServer(TestServer::vosk);

  private static final Pattern SUMMARY =
      Pattern.compile("sent (\\d+) frames .* server accepted (\\d+), dropped (\\d+)");

  /** The text of the final transcripts, in order, without their times. */
  private static String words(String out) {
    StringBuilder b = new StringBuilder();
    out.lines().filter(l -> l.startsWith("[")).forEach(l -> b.append(l.substring(l.indexOf(']') + 1).strip())
        .append(' '));
    return b.toString().strip();
  }

  @Test
  void aCutMidStreamIsResumedAndTheTranscriptIsTheUncutOne() throws Exception {
    Speech.Clip clip = Speech.clips().getFirst();
    String direct = "ws://127.0.0.1:" + server.port() + "/ws/live";
    // block: lossless either way (a cold recognizer may lag at twice real time), so the two runs hear the same audio.
    StreamCommandTest.Run uncut = StreamCommandTest.hark("stream", "--url", direct, "--speed", "2", "--overflow",
        "block", clip.wav().toString());
    assertThat(uncut.code()).as(uncut.err()).isZero();

    try (CuttingRelay relay = new CuttingRelay(server.port())) {
      String through = "ws://127.0.0.1:" + relay.port() + "/ws/live";
      // Twice real time: the clip takes about 3.5 s; cut twice, after 1 and 2 s. On a thread of its own: the
      // common pool (one thread on two cores) is where java.net.http completes handshakes.
      CompletableFuture<Integer> cuts = new CompletableFuture<>();
      Thread.ofPlatform().daemon().start(() -> {
        sleep(1000);
        int n = relay.cut();
        sleep(1000);
        cuts.complete(n + relay.cut());
      });
      StreamCommandTest.Run cut = StreamCommandTest.hark("stream", "--url", through, "--speed", "2", "--overflow",
          "block", clip.wav().toString());
      assertThat(cuts.get()).as("connections cut").isEqualTo(2);
      assertThat(cut.code()).as(cut.err()).isZero();
      assertThat(cut.err()).contains("connection lost", "resumed session", "resumed after 2 lost connection(s)");
      assertThat(words(cut.out())).isEqualTo(words(uncut.out())).isNotEmpty();
      Matcher m = SUMMARY.matcher(cut.err());
      assertThat(m.find()).as(cut.err()).isTrue();
      assertThat(Long.parseLong(m.group(3))).as("dropped").isZero();
      assertThat(Long.parseLong(m.group(2))).as("accepted = sent").isEqualTo(Long.parseLong(m.group(1)));
    }
    assertThat(server.scrape().count("sessions_resumes_total", "outcome", "resumed")).isEqualTo(2);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
