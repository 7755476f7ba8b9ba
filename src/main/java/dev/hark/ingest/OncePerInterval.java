package dev.hark.ingest;

/**
 * At most once per interval: the throttle behind every "tell the client at most once a second" (backpressure
 * reminders, seq gap statuses, rate-limit reports). Not thread-safe: owned by one thread, a session's.
 */
public final class OncePerInterval {
  private final long intervalNanos;
  private long lastNanos;
  private boolean ever;

  public OncePerInterval(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /** True, and the interval starts again, if none was claimed within the interval before {@code nowNanos}. */
  public boolean tryClaim(long nowNanos) {
    if (ever && nowNanos - lastNanos < intervalNanos) {
      return false;
    }
    claim(nowNanos);
    return true;
  }

  /** Starts the interval at {@code nowNanos} whatever came before (e.g. a status just sent for another reason). */
  public void claim(long nowNanos) {
    ever = true;
    lastNanos = nowNanos;
  }
}
