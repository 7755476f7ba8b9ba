package dev.hark.server;

import dev.hark.ingest.OncePerInterval;

/**
 * A session's message allowance: a token bucket holding one second's worth, refilled continuously, and a flood
 * detector on top. Data messages and WebSocket pings draw on the same allowance. Used on the session's event loop
 * only, so it needs no locking.
 */
final class MessageRate {
  /** What one message is told. */
  enum Verdict {
    /** Within the allowance: handle it. */
    TAKEN,
    /** Over the allowance: drop it and count it. */
    LIMITED,
    /** More messages over the allowance within one second than {@link #floodThreshold}: close the connection. */
    FLOOD
  }

  /** Messages dropped within one second, in seconds' worth of the rate, past which the client is flooding... */
  static final int FLOOD_FACTOR = 2;
  /** ...but never fewer than this many, so a low rate does not turn a burst (a reconnect's backlog) into a flood. */
  static final int MIN_FLOOD = 1000;
  private static final long SECOND = 1_000_000_000L;

  private final double perNano;
  private final double capacity;
  private final long floodThreshold;
  private double tokens;
  private long last;
  private long limitedSinceReport;
  private final OncePerInterval reports = new OncePerInterval(SECOND);
  private long windowStart;
  private long limitedInWindow;

  MessageRate(int perSecond, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.capacity = perSecond;
    this.floodThreshold = floodThreshold(perSecond);
    this.tokens = perSecond;
    this.last = nowNanos;
    this.windowStart = nowNanos;
  }

  /** Over-the-rate messages within one second past which a client at this rate is flooding. */
  static long floodThreshold(int perSecond) {
    return Math.max((long) FLOOD_FACTOR * perSecond, MIN_FLOOD);
  }

  /** Takes one message's allowance if there is one. */
  Verdict take(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return Verdict.TAKEN;
    }
    limitedSinceReport++;
    if (nowNanos - windowStart >= SECOND) {
      windowStart = nowNanos;
      limitedInWindow = 0;
    }
    return ++limitedInWindow > floodThreshold ? Verdict.FLOOD : Verdict.LIMITED;
  }

  /**
   * Takes one message's allowance even when there is none, leaving the bucket owing (a {@code block} session's
   * messages are never dropped: its socket is read slower instead); returns the nanoseconds until the bucket holds
   * one message's allowance again, 0 if it does now.
   */
  long takeOwing(long nowNanos) {
    refill(nowNanos);
    tokens -= 1;
    return untilOne();
  }

  /** Nanoseconds until the bucket holds one message's allowance, 0 if it does now. */
  long untilOne(long nowNanos) {
    refill(nowNanos);
    return untilOne();
  }

  private long untilOne() {
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
  }

  private void refill(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
    last = nowNanos;
  }

  /**
   * Ends the current reporting interval if one is due (at most one report a second) and returns how many messages
   * were limited in it; returns 0, ending nothing, when no report is due.
   */
  long takeReport(long nowNanos) {
    if (limitedSinceReport == 0 || !reports.tryClaim(nowNanos)) {
      return 0;
    }
    long n = limitedSinceReport;
    limitedSinceReport = 0;
    return n;
  }
}
