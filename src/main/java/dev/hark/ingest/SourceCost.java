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
  /** The best estimate of this source's cost: the prior it was taken with, then each measurement. */
  private volatile long estimate;
  private volatile boolean measured;
  // Owned by the decoding thread in the stream's turn.
  private long windowAudioNanos;
  private long windowDecodeNanos;

  SourceCost(DecodeLedger ledger) {
    this.ledger = ledger;
  }

  /** Holds {@code cost}, already reserved in the ledger by the caller. */
  void hold(long cost) {
    long before = held.getAndSet(cost);
    ledger.add(-Math.max(0, before));
    if (!measured) {
      estimate = cost;
    }
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

  boolean measured() {
    return measured;
  }

  /**
   * A turn decoded {@code audioNanos} of audio in {@code decodeNanos}: once a window of audio is decoded, its
   * cost is this source's measured cost, held in place of what it held (unless it holds nothing: shed or ended).
   * Decoding thread.
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
    // The first window is the cost; later ones move it halfway, so a pause in the speech does not halve it.
    long cost = measured ? estimate + (window - estimate) / 2 : window;
    if (!measured) {
      ledger.learn(cost);
    }
    estimate = cost;
    measured = true;
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
