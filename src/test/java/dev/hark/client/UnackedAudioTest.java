package dev.hark.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a resuming client keeps to send again: unacknowledged frames, bounded per source, oldest out first. */
class UnackedAudioTest {
  private static List<Long> seqs(List<UnackedAudio.Frame> frames) {
    return frames.stream().map(UnackedAudio.Frame::seq).toList();
  }

  @Test
  void keepsWhatIsNotAckedUpToTheBoundPerSource() {
    UnackedAudio kept = new UnackedAudio(100);
    for (long s = 0; s < 8; s++) {
      kept.sent("mic", new UnackedAudio.Frame(s, "m" + s, 20));
      kept.sent("system", new UnackedAudio.Frame(s, "s" + s, 20));
    }
    assertThat(kept.keptMs("mic")).isEqualTo(100); // 5 of 20 ms: the 3 oldest went
    assertThat(seqs(kept.from("mic", 0))).containsExactly(3L, 4L, 5L, 6L, 7L);
    kept.acked("mic", 5);
    assertThat(seqs(kept.from("mic", 0))).containsExactly(6L, 7L);
    assertThat(kept.keptMs("mic")).isEqualTo(40);
    // A resume's next_seq forgets what the server has; the other source is untouched.
    assertThat(seqs(kept.from("system", 7))).containsExactly(7L);
    assertThat(kept.keptMs("system")).isEqualTo(20);
    assertThat(kept.from("nobody", 0)).isEmpty();
    assertThat(kept.sources()).containsExactly("mic", "system");
  }

  @Test
  void aFrameLongerThanTheBoundIsStillKept() {
    UnackedAudio kept = new UnackedAudio(10);
    kept.sent("mic", new UnackedAudio.Frame(0, new byte[] {1}, 1000));
    assertThat(seqs(kept.from("mic", 0))).containsExactly(0L);
  }
}
