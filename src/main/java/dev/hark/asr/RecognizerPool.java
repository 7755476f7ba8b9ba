package dev.hark.asr;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Stream recognizers between streams. A stream that ends gives its recognizer back, reset, and the next stream
 * takes it warm: a Vosk recognizer keeps the decoding graph it expanded, so a reused one decodes 2-4 times cheaper
 * than a new one and starts without the ~50 ms of opening. At most {@code maxSpare} wait, the most recently used
 * taken first; one that waits longer than {@code maxIdleNanos} is closed, so a server that quiets down gives its
 * native memory back. Any thread; every call is short (the engine's open, reset and close run outside the lock).
 */
final class RecognizerPool {
  private record Spare(StreamRecognizer recognizer, long since) {}

  private final AsrEngine engine;
  private final int maxSpare;
  private final long maxIdleNanos;
  private final LongSupplier nanoClock;
  /** Spares by sample rate, most recently returned first. Guarded by this. */
  private final Map<Integer, Deque<Spare>> spares = new HashMap<>();
  private int spareCount;
  /** Spares kept however long they wait: the warmed ones, so a quiet server's next burst finds them warm. */
  private int keepWarm;
  private long opened;
  private long reused;

  RecognizerPool(AsrEngine engine, int maxSpare, long maxIdleNanos, LongSupplier nanoClock) {
    this.engine = engine;
    this.maxSpare = maxSpare;
    this.maxIdleNanos = maxIdleNanos;
    this.nanoClock = nanoClock;
  }

  /** A spare recognizer for {@code sampleRate}, or a new one from the engine. */
  StreamRecognizer take(int sampleRate) throws Exception {
    synchronized (this) {
      Deque<Spare> d = spares.get(sampleRate);
      Spare s = d == null ? null : d.pollFirst();
      if (s != null) {
        spareCount--;
        reused++;
        return s.recognizer();
      }
      opened++;
    }
    return engine.open(sampleRate);
  }

  /**
   * A stream that ended well gives its recognizer back: kept reset as a spare if there is room, else closed.
   * Returns whether it was kept.
   */
  boolean give(StreamRecognizer r, int sampleRate) {
    boolean kept = false;
    if (maxSpare > 0 && resets(r)) {
      synchronized (this) {
        if (spareCount < maxSpare) {
          spares.computeIfAbsent(sampleRate, k -> new ArrayDeque<>()).addFirst(new Spare(r, nanoClock.getAsLong()));
          spareCount++;
          kept = true;
        }
      }
    }
    if (!kept) {
      r.close();
    }
    return kept;
  }

  /** Whether {@code r} could be reset; one whose reset throws is not trusted with another stream. */
  private static boolean resets(StreamRecognizer r) {
    try {
      return r.reset();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Closes the spares that have waited too long (all of them if {@code all}); returns how many. */
  int closeIdle(boolean all) {
    long now = nanoClock.getAsLong();
    List<StreamRecognizer> expired = new ArrayList<>();
    synchronized (this) {
      for (Deque<Spare> d : spares.values()) {
        // The oldest wait at the back.
        while (!d.isEmpty() && (all || (now - d.peekLast().since() > maxIdleNanos && spareCount > keepWarm))) {
          expired.add(d.pollLast().recognizer());
          spareCount--;
        }
      }
    }
    expired.forEach(StreamRecognizer::close);
    return expired.size();
  }

  /** Keeps at least {@code n} spares however long they wait. */
  synchronized void keepWarm(int n) {
    keepWarm = n;
  }

  synchronized int spares() {
    return spareCount;
  }

  synchronized long opened() {
    return opened;
  }

  synchronized long reused() {
    return reused;
  }
}
