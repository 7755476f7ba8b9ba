package dev.hark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimelineTest {
  @Test
  void droppedChunksStillAdvanceTheTimeline() {
    Timeline t = new Timeline();
    t.append(0, 320);        // chunk 0
    t.append(320, 320);      // chunk 1
    t.append(1600, 320);     // chunks 2-4 dropped, chunk 5 arrives
    t.append(1920, 320);
    assertThat(t.streamSamples()).isEqualTo(1280);
    assertThat(t.timelineSample(100)).isEqualTo(100);
    assertThat(t.timelineSample(639)).isEqualTo(639);
    assertThat(t.timelineSample(640)).isEqualTo(1600);
    assertThat(t.timelineSample(1000)).isEqualTo(1960);
  }

  @Test
  void aStreamThatStartsLateStartsAtItsFirstChunk() {
    Timeline t = new Timeline();
    t.append(16000, 320);
    assertThat(t.timelineSample(0)).isEqualTo(16000);
  }

  @Test
  void manyGapsGrowTheSegmentsAndKeepTheRecentOnes() {
    Timeline t = new Timeline();
    int n = Timeline.MAX_SEGMENTS * 3;
    for (int i = 0; i < n; i++) {
      t.append(i * 640L, 320); // every other chunk dropped: a gap before each
    }
    for (int i = n - Timeline.MAX_SEGMENTS; i < n; i += 97) {
      assertThat(t.timelineSample(i * 320L + 5)).isEqualTo(i * 640L + 5);
    }
    assertThat(t.timelineSample(n * 320L - 1)).isEqualTo((n - 1) * 640L + 319);
  }
}
