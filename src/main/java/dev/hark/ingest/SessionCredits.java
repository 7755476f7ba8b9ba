package dev.hark.ingest;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A session's reservations in the recognizer's {@link DecodeLedger} for sources it has not opened yet: the one
 * taken with its slot at the upgrade, and those {@code start} reserved for the sources it names. Each source that
 * opens takes one, or reserves the prior itself. Owned by the session's thread.
 */
final class SessionCredits {
  private final DecodeLedger ledger;
  private final Deque<Long> credits = new ArrayDeque<>();

  /** With {@code openingCredit} the cost reserved with the session's slot, or -1 if none was. */
  SessionCredits(DecodeLedger ledger, long openingCredit) {
    this.ledger = ledger;
    if (openingCredit >= 0) {
      credits.add(openingCredit);
    }
  }

  /** Reserves the prior for each of {@code sourceCount} sources beyond the credits held; false if they do not fit. */
  boolean reserveFor(int sourceCount) {
    int more = sourceCount - credits.size();
    if (more <= 0) {
      return true;
    }
    for (int i = 0; i < more; i++) {
      long cost = ledger.reservePrior();
      if (cost < 0) {
        for (int k = 0; k < i; k++) {
          ledger.add(-credits.pollLast()); // all or none
        }
        return false;
      }
      credits.add(cost);
    }
    return true;
  }

  /**
   * Gives {@code src} its share of the recognizer: a credit if one is held, else a new reservation of the prior;
   * false if that does not fit (the caller opens it shed), unless {@code src} may never be shed ({@code block}),
   * which takes it regardless.
   */
  boolean give(SourceState src) {
    Long credit = credits.poll();
    long cost = credit != null ? credit : ledger.reservePrior();
    if (cost >= 0) {
      src.cost().hold(cost);
      return true;
    }
    long prior = ledger.prior();
    if (!src.sheddable()) {
      ledger.add(prior); // forced: a block source is never shed, so it is taken past capacity
      src.cost().hold(prior);
      return true;
    }
    src.cost().expect(prior);
    return false;
  }

  /** The session ends: what no source took is given back; returns how much. */
  long releaseUnused() {
    long unused = 0;
    for (long c : credits) {
      unused += c;
    }
    credits.clear();
    return unused;
  }
}
