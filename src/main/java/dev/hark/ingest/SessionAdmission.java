package dev.hark.ingest;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the server takes a new session now, and the slots of those it took: refused while the recognizer loads,
 * after shutdown began, while the recognizer is at capacity, and at {@code --max-sessions}. What {@code /readyz}
 * reports. Any thread.
 */
public final class SessionAdmission {
  private final int maxSessions;
  private final AtomicInteger sessions = new AtomicInteger();
  private volatile boolean loaded;
  private volatile boolean stopped;
  /** The recognizer is saturated (set by the ConcurrencyController from the recognizer's load). */
  private volatile boolean recognizerFull;

  SessionAdmission(int maxSessions) {
    this.maxSessions = maxSessions;
  }

  /** Takes a session slot if the server has one; the caller must {@link #release()} it once. */
  public boolean tryReserve() {
    while (true) {
      int n = sessions.get();
      if (!accepting(n)) {
        return false;
      }
      if (sessions.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  public void release() {
    sessions.decrementAndGet();
  }

  /** Whether a new session would be taken now. */
  public boolean accepting() {
    return accepting(sessions.get());
  }

  private boolean accepting(int n) {
    return loaded && !stopped && !recognizerFull && n < maxSessions;
  }

  /** Sessions are taken from now on: the recognizer is loaded. */
  public void markLoaded() {
    loaded = true;
  }

  /** No new session from now on (shutdown); those open go on. */
  public void stopAdmitting() {
    stopped = true;
  }

  /** Why sessions are not taken now: "starting", "draining" (shutting down), "at_capacity" or "full". */
  public String refusal() {
    return !loaded ? "starting" : stopped ? "draining" : recognizerFull ? "at_capacity" : "full";
  }

  public boolean atCapacity() {
    return recognizerFull;
  }

  void recognizerFull(boolean full) {
    recognizerFull = full;
  }

  /** Sessions holding a slot now. */
  public int active() {
    return sessions.get();
  }
}
