package dev.hark.asr;

import java.time.Duration;

/**
 * Recognizes nothing, optionally taking {@code rtf} seconds per second of audio on its decoding thread, so a
 * benchmark or an overload test can rehearse a recognizer of any speed through the same scheduler
 * ({@code --none-rtf 1.0} keeps one decoding thread busy per real-time stream).
 */
public final class NoneEngine implements AsrEngine {
  private final double rtf;
  private final double expectedRtf;

  public NoneEngine(double rtf) {
    this(rtf, rtf);
  }

  /**
   * Taking {@code rtf} per second of audio while admission expects {@code expectedRtf}: a test's way to make costs
   * turn out other than the prior.
   */
  public NoneEngine(double rtf, double expectedRtf) {
    if (rtf < 0 || Double.isNaN(rtf) || expectedRtf < 0 || Double.isNaN(expectedRtf)) {
      throw new IllegalArgumentException("--none-rtf must be 0 or more, got " + rtf);
    }
    this.rtf = rtf;
    this.expectedRtf = expectedRtf;
  }

  @Override
  public double expectedRtf() {
    return expectedRtf;
  }

  /** Its work is a sleep: what it costs is the time its turns take. */
  @Override
  public boolean costIsCpu() {
    return false;
  }

  @Override
  public String name() {
    return "none";
  }

  @Override
  public StreamRecognizer open(int sampleRate) {
    return new StreamRecognizer() {
      @Override
      public void accept(byte[] pcm, int length, TranscriptListener results) throws InterruptedException {
        if (rtf > 0) {
          long samples = length / 2;
          Thread.sleep(Duration.ofNanos((long) (samples * 1e9 * rtf / sampleRate)));
        }
      }

      @Override
      public void finish(TranscriptListener results) {}

      @Override
      public boolean reset() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  /** Registers {@code none} with {@link AsrEngines}. */
  public static final class Provider implements AsrEngineProvider {
    @Override
    public String name() {
      return "none";
    }

    @Override
    public AsrEngine create(AsrSettings settings, dev.hark.metrics.HarkMetrics metrics) {
      return new NoneEngine(settings.noneRtf());
    }
  }
}
