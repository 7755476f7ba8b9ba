package dev.hark.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One source's share of the {@link DecodeLedger}: what it holds there now (its prior until measured, then its
 * measured cost; nothing while shed or after its stream ended), and the measurement. The hold moves only by
 * atomic exchanges, each applied to the ledger once, so a measurement racing a shed or an end never leaves a cost
 * behind. The measurement is the decoding thread's (one turn at a time).
 */
final class SourceCost {
  /**
   * Audio a measurement window spans: two turns, so a stream is measured within its first half second of audio
   * (and, behind an overloaded recognizer, well before its queue fills), and later windows are averaged.
   */
  static final long WINDOW_AUDIO_NANOS = 400_000_000L;

  /** Held while the source holds nothing (a cost of 0 is a real cost: an engine that costs nothing). */
  private static final long NONE = -1;

  private final DecodeLedger ledger;
  private final AtomicLong held = new AtomicLong(NONE);
  /** Windows measured before the cost stands on its own, without the prior as a floor. */
  static final int ESTABLISHED_WINDOWS = 5;
  /**
   * Windows measured before the cost teaches the warm prior: 6 s of audio, past the first seconds in which a Vosk
   * recognizer new to speech decodes dearer (docs/benchmarks.md).
   */
  static final int TEACHING_WINDOWS = 15;

  /** The best estimate of this source's cost: the prior it was taken with, then each measurement. */
  private volatile long estimate;
  /** The cost it was first taken with. */
  private volatile long prior;
  // Owned by the decoding thread in the stream's turn.
  private long windowAudioNanos;
  private long windowDecodeNanos;
  private long average;
  private int windows;

  SourceCost(DecodeLedger ledger) {
    this.ledger = ledger;
  }

  /** Holds {@code cost}, already reserved in the ledger by the caller. */
  void hold(long cost) {
    long before = held.getAndSet(cost);
    ledger.add(-Math.max(0, before));
    if (before == NONE && estimate == 0) {
      prior = cost; // the first hold: what it was taken with
      estimate = cost;
    }
  }

  /** Takes {@code cost} as what this source is expected to cost, for one that opened holding nothing (shed). */
  void expect(long cost) {
    prior = cost;
    estimate = cost;
  }

  /** Reserves this source's estimate again if it fits (a restore); false if it does not. */
  boolean tryHoldEstimate() {
    long cost = estimate;
    if (!ledger.tryReserve(cost)) {
      return false;
    }
    hold(cost);
    return true;
  }

  /** Reserves this source's estimate again whether it fits or not (a source the budget gave back). */
  void forceHoldEstimate() {
    long cost = estimate;
    ledger.add(cost);
    hold(cost);
  }

  /** Gives back what this source holds (shed, ended, closed); idempotent. */
  void release() {
    ledger.add(-Math.max(0, held.getAndSet(NONE)));
  }

  /** What this source holds in the ledger now. */
  long held() {
    return Math.max(0, held.get());
  }

  /** Its measured cost, else the prior it was taken with. */
  long estimate() {
    return estimate;
  }

  /**
   * A turn decoded {@code audioNanos} of audio in {@code decodeNanos}. At the end of each window of audio the
   * cost is measured again: a running average (each window moves it a quarter of the way, so a pause in the speech
   * does not halve it), held in place of what the source held (unless it holds nothing: shed or ended). Until
   * {@link #ESTABLISHED_WINDOWS} windows are measured the prior stays a floor: a stream that costs more than
   * expected is known within its first window, one that costs less gives its room back only once that is sure
   * (its first words may follow a silence). Decoding thread.
   */
  void decoded(long audioNanos, long decodeNanos) {
    windowAudioNanos += audioNanos;
    windowDecodeNanos += decodeNanos;
    if (windowAudioNanos < WINDOW_AUDIO_NANOS) {
      return;
    }
    long window = Math.round((double) windowDecodeNanos / windowAudioNanos * DecodeLedger.CORE);
    windowAudioNanos = 0;
    windowDecodeNanos = 0;
    average = windows == 0 ? window : average + (window - average) / 4;
    windows++;
    if (windows == TEACHING_WINDOWS) {
      ledger.learn(average);
    }
    long cost = windows >= ESTABLISHED_WINDOWS ? average : Math.max(prior, average);
    estimate = cost;
    while (true) {
      long h = held.get();
      if (h == NONE) {
        return; // shed or ended: nothing is held to correct
      }
      if (held.compareAndSet(h, cost)) {
        ledger.add(cost - h);
        return;
      }
    }
  }
}
