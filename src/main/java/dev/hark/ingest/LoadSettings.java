package dev.hark.ingest;

import java.time.Duration;

/**
 * How the recognizer's capacity is controlled: given once, at construction, to the {@link ConcurrencyController}.
 *
 * @param control whether there is capacity control at all (off: {@code --no-asr-shed}, every stream is taken and
 *     lags alike, the design of vosk-server)
 * @param threads decoding threads
 * @param targetUtilisation the share of the decoding threads that reservations may fill (capacity is {@code threads
 *     × targetUtilisation} cores); also the utilisation from which the recognizer counts as busy
 * @param shedUtilisation the share of the decoding threads past which what is reserved is a deficit to shed (down
 *     to capacity): the gap above the target leaves measured costs room to wander without a shed each time
 * @param relaxUtilisation below this (and a quarter of the lag bound, and no drops) a source shed for capacity may
 *     come back; the gap up to the target is the hysteresis
 * @param lagBoundMs a decode lag past this, with the threads busy, means the cost model is short of the truth
 * @param turnMs one decoding turn of audio: lag growth below it is jitter
 * @param shedHold the least time between a capacity shed or restore and the next restore
 * @param shedSpacing the least time between two sheds that the measured lag or drops ask for (a deficit in the
 *     ledger is closed at once)
 */
public record LoadSettings(boolean control, int threads, double targetUtilisation, double shedUtilisation,
    double relaxUtilisation, long lagBoundMs, long turnMs, Duration shedHold, Duration shedSpacing) {
  public static final double TARGET_UTILISATION = 0.85;
  public static final double SHED_UTILISATION = 0.95;
  public static final double RELAX_UTILISATION = 0.75;

  public LoadSettings {
    if (threads < 1 || !(targetUtilisation > 0 && targetUtilisation <= shedUtilisation)
        || !(relaxUtilisation < targetUtilisation)) {
      throw new IllegalArgumentException("bad load settings: " + threads + " threads, target " + targetUtilisation
          + ", relax " + relaxUtilisation);
    }
  }

  /** The defaults for {@code threads} decoding threads, a lag bound, a turn and a hold. */
  public static LoadSettings of(boolean control, int threads, long lagBoundMs, long turnMs, Duration shedHold) {
    return new LoadSettings(control, threads, TARGET_UTILISATION, SHED_UTILISATION, RELAX_UTILISATION, lagBoundMs,
        turnMs, shedHold, Duration.ofMillis(500));
  }

  /** What the decoding threads may be promised, in {@link DecodeLedger#CORE} units. */
  long capacity() {
    return Math.round(threads * targetUtilisation * DecodeLedger.CORE);
  }

  /** Reserved past this is a deficit, in {@link DecodeLedger#CORE} units. */
  long shedLine() {
    return Math.round(threads * shedUtilisation * DecodeLedger.CORE);
  }
}
