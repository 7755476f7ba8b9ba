package dev.hark.asr;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What engines and the decode scheduler are configured with.
 *
 * @param workers decoding threads: how many streams are decoded at once (default: the number of cores)
 * @param noneRtf seconds the {@code none} engine spends per second of audio
 * @param stallTimeout how long one turn of decoding may take before its thread is written off as hung
 * @param model the Vosk model directory, or null for the one built in
 * @param turnMs the most audio one decoding turn takes before the stream goes to the back of the line
 * @param shedLagMs the decode lag past which, with the decoding threads saturated, the recognizer is at capacity
 * @param shed whether whole sources are shed at capacity (off: every stream lags and drops alike)
 * @param spareRecognizers how many reset recognizers are kept for the next streams (0: each is closed at its
 *     stream's end)
 */
public record AsrSettings(int workers, double noneRtf, Duration stallTimeout, Path model, int turnMs, int shedLagMs,
    boolean shed, int spareRecognizers) {
  /** The default turn: short enough that every stream gets partial results as it goes. */
  public static final int TURN_MS = 200;

  public static AsrSettings defaults() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new AsrSettings(cores, 0, Duration.ofSeconds(10), null, TURN_MS, SHED_LAG_MS, true,
        defaultSpares(cores));
  }

  /**
   * Spare recognizers kept by default: as many as the decoding threads can carry streams (a warm stream of read
   * speech costs about 0.08 of a core; at 85% of a core that is ten a thread), so all of them can be warm.
   */
  public static int defaultSpares(int workers) {
    return 10 * workers;
  }

  /** How long a spare recognizer waits for a stream before it is closed and its native memory freed. */
  public static final Duration SPARE_IDLE = Duration.ofSeconds(60);

  /** The default lag bound: past two turns of 200 ms, well short of the default 48-chunk queue's 960 ms. */
  public static final int SHED_LAG_MS = 500;

  public AsrSettings withWorkers(int n) {
    return new AsrSettings(n, noneRtf, stallTimeout, model, turnMs, shedLagMs, shed, spareRecognizers);
  }

  public AsrSettings withStallTimeout(Duration d) {
    return new AsrSettings(workers, noneRtf, d, model, turnMs, shedLagMs, shed, spareRecognizers);
  }

  public AsrSettings withTurnMs(int ms) {
    return new AsrSettings(workers, noneRtf, stallTimeout, model, ms, shedLagMs, shed, spareRecognizers);
  }

  public AsrSettings withNoneRtf(double rtf) {
    return new AsrSettings(workers, rtf, stallTimeout, model, turnMs, shedLagMs, shed, spareRecognizers);
  }

  public AsrSettings withSpareRecognizers(int n) {
    return new AsrSettings(workers, noneRtf, stallTimeout, model, turnMs, shedLagMs, shed, n);
  }

  /** Capacity shedding: the lag bound, and whether whole sources are shed past it. */
  public AsrSettings withShedding(int lagMs, boolean on) {
    return new AsrSettings(workers, noneRtf, stallTimeout, model, turnMs, lagMs, on, spareRecognizers);
  }
}
