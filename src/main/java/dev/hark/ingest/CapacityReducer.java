package dev.hark.ingest;

import dev.hark.protocol.ShedReason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the {@link CapacityDecision}: sheds as many whole sources as the deficit asks for, at once, lowest
 * {@code priority} first, then the newest (never a {@code block} session's, nor one that is ending); restores one
 * at a time, the highest priority first, then the one shed longest ago, only when its cost fits. Each source is
 * shed or restored on its session's own thread, and told. Owned by the one thread that reports the recognizer's
 * load.
 */
final class CapacityReducer {
  private static final Logger log = LoggerFactory.getLogger(CapacityReducer.class);
  /** Who goes first: lowest priority, then the newest. */
  private static final Comparator<SourceState> VICTIMS = Comparator.comparingInt((SourceState s) -> s.priority())
      .thenComparing(Comparator.comparingLong((SourceState s) -> -s.openedNanos()));
  /** Who comes back first: highest priority, then the one shed longest ago. */
  private static final Comparator<SourceState> RETURNS = Comparator.comparingInt((SourceState s) -> -s.priority())
      .thenComparingLong(SourceState::shedAtNanos);

  private final Set<SourceState> sources;
  private final LongSupplier clock;
  private final LoadSettings settings;
  private long lastShedNanos;
  private long lastChangeNanos;
  private long lagAtLastShedMs;
  /** The last reading's lag and time, for the lag's growth. */
  private long lastLagMs;
  private long lastReadNanos;

  CapacityReducer(Set<SourceState> sources, LoadSettings settings, LongSupplier clock) {
    this.sources = sources;
    this.settings = settings;
    this.clock = clock;
    // Long ago: the first change is never held back by one that did not happen.
    this.lastShedNanos = clock.getAsLong() - (1L << 40);
    this.lastChangeNanos = lastShedNanos;
    this.lastReadNanos = clock.getAsLong();
  }

  /** The reading for this moment, from the ledger and the measured load. */
  CapacityDecision.Reading read(DecodeLedger ledger, RecognizerLoad load, long capacityDrops) {
    long now = clock.getAsLong();
    SourceState back = firstReturn();
    double growth = now <= lastReadNanos ? 0
        : Math.max(0, (load.maxLagMs() - lastLagMs) * 1e6 / (now - lastReadNanos));
    lastLagMs = load.maxLagMs();
    lastReadNanos = now;
    return new CapacityDecision.Reading(ledger.capacity(), ledger.reserved(), load.utilisation(), load.maxLagMs(),
        growth, capacityDrops, now - lastShedNanos, now - lastChangeNanos, lagAtLastShedMs,
        back == null ? -1 : back.cost().estimate());
  }

  /** Acts on {@code verdict}; returns the sources shed (for tests and logs). */
  List<SourceState> act(CapacityDecision.Verdict verdict, CapacityDecision.Reading reading) {
    if (CapacityDecision.relaxed(settings, reading)) {
      lagAtLastShedMs = 0;
    }
    switch (verdict) {
      case CapacityDecision.Shed s -> {
        List<SourceState> shed = shed(s.cost());
        if (!shed.isEmpty()) {
          log.warn("shed {} source(s) for capacity: {} (reserved {} of {} cores, utilisation {}, lag {} ms growing "
              + "{} ms/ms, {} chunk(s) dropped for a full queue)", shed.size(), s.measuredOverload()
              ? "the recognizer is behind" : "measured costs above what was promised",
              cores(reading.reserved()), cores(reading.capacity()), Math.round(reading.utilisation() * 100) / 100.0,
              reading.maxLagMs(), Math.round(reading.lagGrowth() * 100) / 100.0, reading.capacityDrops());
          lastShedNanos = clock.getAsLong();
          lastChangeNanos = lastShedNanos;
          if (s.measuredOverload()) {
            lagAtLastShedMs = Math.max(1, reading.maxLagMs());
          }
        }
        return shed;
      }
      case CapacityDecision.Restore r -> {
        restoreOne();
        return List.of();
      }
      case CapacityDecision.Steady s -> {
        return List.of();
      }
    }
  }

  private static double cores(long units) {
    return Math.round(units * 100.0 / DecodeLedger.CORE) / 100.0;
  }

  /** Sheds sources worth at least {@code cost}, at least one; their reservations are given back at once. */
  private List<SourceState> shed(long cost) {
    List<SourceState> candidates = new ArrayList<>();
    for (SourceState s : sources) {
      if (!s.isShed() && s.sheddable() && !s.session().isEnding()) {
        candidates.add(s);
      }
    }
    candidates.sort(VICTIMS);
    List<SourceState> shed = new ArrayList<>();
    long freed = 0;
    for (SourceState s : candidates) {
      if (freed >= cost && !shed.isEmpty()) {
        break;
      }
      if (!s.claimShed()) {
        continue; // being shed already (for the budget)
      }
      long held = s.cost().held();
      s.cost().release(); // the ledger sees the room now, not when the session's thread gets to it
      freed += Math.max(held, 1);
      shed.add(s);
      SessionState session = s.session();
      session.channel().execute(() -> session.shedSource(s, ShedReason.ASR_CAPACITY));
    }
    return shed;
  }

  private SourceState firstReturn() {
    SourceState back = null;
    for (SourceState s : sources) {
      if (s.isShed() && s.shedReason() == ShedReason.ASR_CAPACITY && (back == null || RETURNS.compare(s, back) < 0)) {
        back = s;
      }
    }
    return back;
  }

  private void restoreOne() {
    SourceState s = firstReturn();
    if (s == null || !s.cost().tryHoldEstimate()) {
      return;
    }
    lastChangeNanos = clock.getAsLong();
    SessionState session = s.session();
    session.channel().execute(() -> session.restoreSource(s));
  }
}
