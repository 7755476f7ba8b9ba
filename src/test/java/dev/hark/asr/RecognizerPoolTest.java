package dev.hark.asr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spare recognizers, on a manual clock: reuse, the bound, expiry, and what is never reused. */
class RecognizerPoolTest {
  private long now;
  private final List<Spy> opened = new ArrayList<>();
  private final AsrEngine engine = new AsrEngine() {
    @Override
    public String name() {
      return "spy";
    }

    @Override
    public StreamRecognizer open(int sampleRate) {
      Spy s = new Spy(sampleRate, true);
      opened.add(s);
      return s;
    }
  };

  private RecognizerPool pool(int spares) {
    return new RecognizerPool(engine, spares, 60_000_000_000L, () -> now);
  }

  @Test
  void aGivenBackRecognizerIsResetAndTakenByTheNextStreamAtItsRate() throws Exception {
    RecognizerPool pool = pool(2);
    StreamRecognizer first = pool.take(16000);
    assertThat(pool.give(first, 16000)).isTrue();
    assertThat(((Spy) first).resets).isEqualTo(1);
    assertThat(pool.take(8000)).isNotSameAs(first);
    assertThat(pool.take(16000)).isSameAs(first);
    assertThat(pool.opened()).isEqualTo(2);
    assertThat(pool.reused()).isEqualTo(1);
  }

  @Test
  void pastTheBoundRecognizersAreClosed() throws Exception {
    RecognizerPool pool = pool(1);
    StreamRecognizer a = pool.take(16000);
    StreamRecognizer b = pool.take(16000);
    assertThat(pool.give(a, 16000)).isTrue();
    assertThat(pool.give(b, 16000)).isFalse();
    assertThat(((Spy) b).closed).isTrue();
    assertThat(pool.spares()).isEqualTo(1);
  }

  @Test
  void noSparesMeansEveryRecognizerIsClosed() throws Exception {
    RecognizerPool pool = pool(0);
    StreamRecognizer a = pool.take(16000);
    assertThat(pool.give(a, 16000)).isFalse();
    assertThat(((Spy) a).closed).isTrue();
  }

  @Test
  void aRecognizerThatCannotResetIsClosed() {
    RecognizerPool pool = pool(4);
    Spy stubborn = new Spy(16000, false);
    assertThat(pool.give(stubborn, 16000)).isFalse();
    assertThat(stubborn.closed).isTrue();
  }

  @Test
  void sparesUnusedPastTheIdleTimeAreClosedOldestFirst() throws Exception {
    RecognizerPool pool = pool(4);
    StreamRecognizer old = pool.take(16000);
    StreamRecognizer recent = pool.take(16000);
    pool.give(old, 16000);
    now += 30_000_000_000L;
    pool.give(recent, 16000);
    now += 31_000_000_000L; // old has waited 61 s, recent 31 s
    assertThat(pool.closeIdle(false)).isEqualTo(1);
    assertThat(((Spy) old).closed).isTrue();
    assertThat(((Spy) recent).closed).isFalse();
    assertThat(pool.closeIdle(true)).isEqualTo(1);
    assertThat(((Spy) recent).closed).isTrue();
    assertThat(pool.spares()).isZero();
  }

  private static final class Spy implements StreamRecognizer {
    final int rate;
    final boolean resettable;
    int resets;
    boolean closed;

    Spy(int rate, boolean resettable) {
      this.rate = rate;
      this.resettable = resettable;
    }

    @Override
    public void accept(byte[] pcm, int length, TranscriptListener results) {}

    @Override
    public void finish(TranscriptListener results) {}

    @Override
    public boolean reset() {
      resets++;
      return resettable;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
