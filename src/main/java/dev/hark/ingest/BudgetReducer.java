package dev.hark.ingest;

import dev.hark.protocol.ShedReason;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Sheds for the global buffer budget: when a chunk finds it spent, the source holding the most queued audio goes
 * (at most one per shed interval server-wide, never a {@code block} session's); it comes back lazily, on its own
 * next chunk, once it has been shed for the hold and the budget is below half (the original design's
 * {@code should_drop_source}). Any session thread.
 */
final class BudgetReducer {
  private final Set<SourceState> sources;
  private final BufferBudget budget;
  private final LongSupplier clock;
  private final long holdNanos;
  private final long intervalNanos;
  private final AtomicLong lastShedNanos;

  BudgetReducer(Set<SourceState> sources, BufferBudget budget, IngestSettings settings, LongSupplier clock) {
    this.sources = sources;
    this.budget = budget;
    this.clock = clock;
    this.holdNanos = settings.shedHold().toNanos();
    this.intervalNanos = settings.shedInterval().toNanos();
    // Long ago: the first shed is never held back by one that did not happen.
    this.lastShedNanos = new AtomicLong(clock.getAsLong() - (1L << 40));
  }

  /** Restores {@code source}, shed for the budget, if it is due. Session thread. */
  void restoreIfDue(SessionState session, SourceState source) {
    if (source.shedReason() == ShedReason.BUFFER_BUDGET && budget.belowLowWatermark()
        && clock.getAsLong() - source.shedAtNanos() >= holdNanos) {
      source.cost().forceHoldEstimate(); // it was taken once; the capacity reducer corrects a deficit it makes
      session.restoreSource(source);
    }
  }

  /** Sheds the source holding the most queued audio, at most once per shed interval. */
  void shedOne() {
    long now = clock.getAsLong();
    long last = lastShedNanos.get();
    if (now - last < intervalNanos || !lastShedNanos.compareAndSet(last, now)) {
      return;
    }
    SourceState victim = null;
    long most = 0;
    for (SourceState s : sources) {
      long b = s.queue().bytes();
      if (b > most && !s.isShed() && s.sheddable()) {
        most = b;
        victim = s;
      }
    }
    if (victim != null && victim.claimShed()) {
      SourceState v = victim;
      v.cost().release();
      v.session().channel().execute(() -> v.session().shedSource(v, ShedReason.BUFFER_BUDGET));
    }
  }
}
