package dev.hark.ingest;

/**
 * What to do about the recognizer's load: a pure function of the settings and one reading, so every case can be
 * tested without threads or time. Two signals for shedding: the ledger's deficit (measured costs past the shed
 * line, closed at once and whole, down to capacity), and, should the cost model fall short of the truth, the
 * threads busy while some stream's lag grows past its bound or kept sources drop audio for capacity (sources worth
 * the deficit the lag's growth shows, spaced, while it lasts). One for restoring: relaxed, and the cost fits.
 */
public final class CapacityDecision {
  private CapacityDecision() {}

  /**
   * One reading of the recognizer's state.
   *
   * @param capacity what may be promised ({@link DecodeLedger#CORE} units)
   * @param reserved what is promised now: measured costs, priors of streams not measured yet
   * @param utilisation the share of the last interval the decoding threads were busy
   * @param maxLagMs the largest decode lag of any stream now
   * @param lagGrowth how fast that lag grew since the last reading, in ms a ms (0 if it fell)
   * @param capacityDrops chunks kept sources dropped for a full queue since the last reading
   * @param nanosSinceShed since the last capacity shed
   * @param nanosSinceChange since the last capacity shed or restore
   * @param lagAtLastShedMs the largest lag when the last source was shed for a measured overload; 0 once relaxed
   * @param restoreCost the estimated cost of the source that would come back first; -1 if none is shed
   */
  public record Reading(long capacity, long reserved, double utilisation, long maxLagMs, double lagGrowth,
      long capacityDrops,
      long nanosSinceShed, long nanosSinceChange, long lagAtLastShedMs, long restoreCost) {}

  /** The verdict. */
  public sealed interface Verdict {}

  /** Nothing to change. */
  public record Steady() implements Verdict {}

  /**
   * Shed whole sources worth at least {@code cost} (at least one source).
   *
   * @param measuredOverload the ledger showed no deficit: the lag or the drops asked for it
   */
  public record Shed(long cost, boolean measuredOverload) implements Verdict {}

  /** One source shed for capacity comes back. */
  public record Restore() implements Verdict {}

  private static final Steady STEADY = new Steady();

  public static Verdict decide(LoadSettings s, Reading r) {
    if (!s.control()) {
      return STEADY;
    }
    // Past the shed line the measured costs are more than the threads can carry: shed down to capacity, so the
    // next wander of the measurements does not shed again.
    if (r.reserved() > s.shedLine()) {
      return new Shed(r.reserved() - r.capacity(), false);
    }
    boolean busy = r.utilisation() >= s.targetUtilisation();
    boolean lagging = r.maxLagMs() > s.lagBoundMs();
    // After a shed the backlog drains for a while: only a lag still growing (by more than a turn's jitter), or
    // drops while the lag is not falling, is a reason for another.
    boolean stillGrowing = r.lagAtLastShedMs() == 0 || r.maxLagMs() > r.lagAtLastShedMs() + s.turnMs()
        || (r.capacityDrops() > 0 && r.maxLagMs() >= r.lagAtLastShedMs());
    if (busy && (lagging || r.capacityDrops() > 0) && stillGrowing
        && r.nanosSinceShed() >= s.shedSpacing().toNanos()) {
      return new Shed(measuredDeficit(s, r), true);
    }
    if (relaxed(s, r) && r.capacityDrops() == 0 && r.restoreCost() >= 0
        && r.nanosSinceChange() >= s.shedHold().toNanos()
        && r.reserved() + r.restoreCost() <= r.capacity()) {
      return new Restore();
    }
    return STEADY;
  }

  /**
   * The deficit the lag's growth shows, for when the costs measured so far fall short of the truth (streams not
   * measured yet, a prior too low): when the threads, all busy, decode each second of audio in {@code 1 + g}
   * seconds, a lag grows at {@code g} ms a ms, and the demand is {@code capacity / (1 - g)} of what they supply;
   * at least one source's worth (1). Capped at g = 1/3 (half a core a thread at a time): a client catching
   * up after a stall, or a source just restored sending its backlog, grows the lag faster than any recognizer's
   * shortfall could; the next reading, half a second later, sheds again if the lag still grows.
   */
  static long measuredDeficit(LoadSettings s, Reading r) {
    double g = Math.min(1.0 / 3, Math.max(0, r.lagGrowth()));
    return Math.max(1, Math.round(s.threads() * DecodeLedger.CORE * g / (1 - g)));
  }

  /** Whether the reading shows the recognizer relaxed: the measured-overload memory may be forgotten. */
  public static boolean relaxed(LoadSettings s, Reading r) {
    return r.utilisation() < s.relaxUtilisation() && r.maxLagMs() < s.lagBoundMs() / 4;
  }
}
