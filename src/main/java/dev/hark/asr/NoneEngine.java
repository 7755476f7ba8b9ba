package dev.hark.asr;

import dev.hark.ingest.Chunk;
import dev.hark.ingest.PcmStream;
import java.time.Duration;

/**
 * Reads and discards audio, optionally taking {@code rtf} seconds per second of it, so a benchmark or an overload
 * test can rehearse a recognizer of any speed ({@code --none-rtf 1.0} keeps exactly real time).
 */
public final class NoneEngine implements AsrEngine {
  private final double rtf;

  public NoneEngine(double rtf) {
    if (rtf < 0 || Double.isNaN(rtf)) {
      throw new IllegalArgumentException("--none-rtf must be 0 or more, got " + rtf);
    }
    this.rtf = rtf;
  }

  @Override
  public String name() {
    return "none";
  }

  @Override
  public void recognize(PcmStream audio, TranscriptListener results) throws InterruptedException {
    long busyUntil = 0;
    for (Chunk c = audio.nextChunk(); c != null; c = audio.nextChunk()) {
      if (rtf > 0) {
        // Keep a running deadline so sleep overshoot does not add up over a long stream.
        long now = System.nanoTime();
        busyUntil = Math.max(busyUntil, now) + (long) (c.samples() * 1e9 * rtf / audio.sampleRate());
        if (busyUntil > now) {
          Thread.sleep(Duration.ofNanos(busyUntil - now));
        }
      }
    }
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
