package dev.hark.ingest;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recognizer's decoding capacity and what has been promised of it, as {@link BufferBudget} is for memory. A
 * stream's cost is the decoding time it takes per second of audio (its real-time factor: a real-time stream at 0.08
 * keeps 8% of one core busy), counted in millionths of a core. Admission reserves a prior cost before it takes a
 * session or a source, atomically, so sessions arriving in the same millisecond see each other; as a stream is
 * decoded its reservation becomes its measured cost ({@link SourceCost}); a shed or ended source gives it back.
 * Reserved can exceed capacity when measured costs turn out above the prior: that excess is the deficit the
 * capacity reducer sheds. Any thread.
 */
public final class DecodeLedger {
  /** One core's decoding time per second. */
  public static final long CORE = 1_000_000;
  /** How much of the prior each newly measured stream moves it: a few streams teach it, one does not. */
  private static final int LEARN_WEIGHT = 4;

  private final long capacity;
  private final boolean control;
  private final AtomicLong reserved = new AtomicLong();
  /** The cost a new stream on a warm (reused) recognizer is expected to have; learned from measured streams. */
  private volatile long warmPrior;
  /** How many times dearer a stream on a new recognizer is than on a warm one (Vosk: 2.5 in its first seconds). */
  private volatile double coldFactor = 1;
  /**
   * Warm recognizers not yet promised: set from the spares at each load report, one taken by each reservation
   * until the next, so a burst reserves the warm prior only for as many streams as will find a warm recognizer.
   */
  private final AtomicInteger warmCredits = new AtomicInteger();

  DecodeLedger(LoadSettings settings) {
    this.capacity = settings.capacity();
    this.control = settings.control();
  }

  /** What may be promised, in {@link #CORE} units. */
  public long capacity() {
    return capacity;
  }

  /** What is promised now: measured costs of the streams kept, priors of those not measured yet. */
  public long reserved() {
    return reserved.get();
  }

  /** Capacity not promised (negative: a deficit). */
  public long headroom() {
    return capacity - reserved.get();
  }

  /** The cost the next new stream would reserve: the warm prior while a warm recognizer is left, else the cold. */
  public long prior() {
    return warmCredits.get() > 0 ? warmPrior : coldPrior();
  }

  private long coldPrior() {
    return Math.round(warmPrior * coldFactor);
  }

  /** The engine's expectation before anything was measured; 0 for an engine that has none (measured only). */
  public void expect(double warmRtf, double coldRtf) {
    warmPrior = Math.round(warmRtf * CORE);
    coldFactor = warmRtf > 0 ? Math.max(1, coldRtf / warmRtf) : 1;
  }

  /** The cost a stream on a warm recognizer is expected to have now. */
  public long warmPrior() {
    return warmPrior;
  }

  /** The recognizer has {@code spares} warm recognizers waiting (each load report, and once warmed at start). */
  public void warmSpares(int spares) {
    warmCredits.set(spares);
  }

  /**
   * Reserves one new stream's prior, warm if a warm recognizer is left for it, if it fits; returns the cost
   * reserved, or -1.
   */
  long reservePrior() {
    boolean warm = warmCredits.getAndDecrement() > 0;
    long cost = warm ? warmPrior : coldPrior();
    if (tryReserve(cost)) {
      return cost;
    }
    if (warm) {
      warmCredits.incrementAndGet();
    }
    return -1;
  }

  /** Reserves {@code cost} if it fits (always, without capacity control); false if it does not. */
  boolean tryReserve(long cost) {
    while (true) {
      long r = reserved.get();
      if (control && cost > 0 && r + cost > capacity) {
        return false;
      }
      if (reserved.compareAndSet(r, r + cost)) {
        return true;
      }
    }
  }

  /** Whether a new stream's prior fits now: what {@code /readyz} and the agent check say. */
  boolean fitsOneMore() {
    return !control || reserved.get() + prior() <= capacity;
  }

  /** Moves the reservation by {@code delta}, unconditionally: a measured cost, a release, a forced reservation. */
  void add(long delta) {
    reserved.addAndGet(delta);
  }

  /** A stream's cost was established, past its recognizer's warming: the warm prior moves towards it. */
  void learn(long measured) {
    long p = warmPrior;
    warmPrior = p + (measured - p) / LEARN_WEIGHT;
  }
}
