package dev.hark.ingest;

/**
 * One source's backpressure episode, from its first drop until its queue has fallen to its low watermark and stayed
 * free of drops for a quiet period; decides when a status is due so that a client hears of drops at once, then at
 * most once per interval. Session thread only.
 */
final class BackpressureEpisode {
  /** What a drop calls for. */
  enum Due { NOTHING, EPISODE_STARTED, REMINDER }

  private final long quietNanos;
  // Owned by the session's thread (drops are counted there; recovery is handed there by execute).
  private boolean active;
  private long startNanos;
  private final OncePerInterval reminders;
  private long lastDropNanos;
  private long droppedBefore;
  private boolean recheckScheduled;

  BackpressureEpisode(long intervalNanos) {
    this.reminders = new OncePerInterval(intervalNanos);
    this.quietNanos = Math.max(1, intervalNanos / 4);
  }

  /** Records a drop at {@code now}; {@code droppedBefore} is the source's drop count before it. */
  Due onDrop(long now, long droppedBefore) {
    lastDropNanos = now;
    if (!active) {
      active = true;
      startNanos = now;
      reminders.claim(now); // the episode's first status goes out now
      this.droppedBefore = droppedBefore;
      return Due.EPISODE_STARTED;
    }
    if (reminders.tryClaim(now)) {
      return Due.REMINDER;
    }
    return Due.NOTHING;
  }

  boolean active() {
    return active;
  }

  /** How long until the episode has been quiet long enough to end; 0 or less means now. */
  long quietRemaining(long now) {
    return quietNanos - (now - lastDropNanos);
  }

  /** Ends the episode; returns its length in nanoseconds. */
  long end(long now) {
    active = false;
    return now - startNanos;
  }

  long droppedBefore() {
    return droppedBefore;
  }

  /** Claims the one pending re-check; false if one is already scheduled. */
  boolean claimRecheck() {
    if (recheckScheduled) {
      return false;
    }
    recheckScheduled = true;
    return true;
  }

  void recheckRan() {
    recheckScheduled = false;
  }
}
