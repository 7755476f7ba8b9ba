package dev.hark.ingest;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the server takes a new session now, and the slots of those it took: refused while the recognizer loads,
 * after shutdown began, when the recognizer's capacity cannot take one more stream's prior cost (reserved in the
 * {@link DecodeLedger} with the slot, atomically), and at {@code --max-sessions}. What {@code /readyz} reports. Any
 * thread.
 */
public final class SessionAdmission {
  /** What {@link #tryReserve()} answers when it takes nothing. */
  public static final long REFUSED = -1;

  private final int maxSessions;
  private final DecodeLedger ledger;
  private final AtomicInteger sessions = new AtomicInteger();
  private volatile boolean loaded;
  private volatile boolean stopped;

  SessionAdmission(int maxSessions, DecodeLedger ledger) {
    this.maxSessions = maxSessions;
    this.ledger = ledger;
  }

  /**
   * Takes a session slot and reserves one stream's prior cost for its first source, if the server has room for
   * both; returns the cost reserved (the session's opening credit, handed to its {@code SessionState}) or
   * {@link #REFUSED}. The caller must {@link #release(long)} both once if no session takes them over.
   */
  public long tryReserve() {
    while (true) {
      int n = sessions.get();
      if (!open() || n >= maxSessions) {
        return REFUSED;
      }
      if (sessions.compareAndSet(n, n + 1)) {
        break;
      }
    }
    long cost = ledger.reservePrior();
    if (cost < 0) {
      sessions.decrementAndGet();
      return REFUSED;
    }
    return cost;
  }

  /** Gives back a slot and the opening credit that no source took ({@code unusedCost}, 0 if none). */
  public void release(long unusedCost) {
    sessions.decrementAndGet();
    ledger.add(-unusedCost);
  }

  /** Whether a new session would be taken now. */
  public boolean accepting() {
    return open() && sessions.get() < maxSessions && ledger.fitsOneMore();
  }

  private boolean open() {
    return loaded && !stopped;
  }

  /** Sessions are taken from now on: the recognizer is loaded. */
  public void markLoaded() {
    loaded = true;
  }

  /** No new session from now on (shutdown); those open go on. */
  public void stopAdmitting() {
    stopped = true;
  }

  /** Why sessions are not taken now: "starting", "draining" (shutting down), "full" or "at_capacity". */
  public String refusal() {
    return !loaded ? "starting" : stopped ? "draining" : sessions.get() >= maxSessions ? "full" : "at_capacity";
  }

  /** The recognizer cannot take one more stream's prior cost. */
  public boolean atCapacity() {
    return !ledger.fitsOneMore();
  }

  /** Sessions holding a slot now. */
  public int active() {
    return sessions.get();
  }
}
