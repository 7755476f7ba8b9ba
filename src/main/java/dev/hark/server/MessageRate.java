package dev.hark.server;

/**
 * A session's message allowance: a token bucket holding one second's worth, refilled continuously. Used on the
 * session's event loop only, so it needs no locking.
 */
final class MessageRate {
  private final double perNano;
  private final double capacity;
  private double tokens;
  private long last;
  private long limitedSinceReport;
  private long lastReport;

  MessageRate(int perSecond, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.capacity = perSecond;
    this.tokens = perSecond;
    this.last = nowNanos;
    this.lastReport = nowNanos - 1_000_000_000L;
  }

  /** Takes one message's allowance; false if the session is over its rate. */
  boolean tryTake(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    limitedSinceReport++;
    return false;
  }

  /** Messages limited since the last report if a report is due (at most one a second), else 0. */
  long reportDue(long nowNanos) {
    if (limitedSinceReport == 0 || nowNanos - lastReport < 1_000_000_000L) {
      return 0;
    }
    long n = limitedSinceReport;
    limitedSinceReport = 0;
    lastReport = nowNanos;
    return n;
  }
}
