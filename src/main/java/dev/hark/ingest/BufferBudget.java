package dev.hark.ingest;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide count of audio bytes sitting in source queues, against {@code --max-buffered-mb}: this is what
 * bounds memory by configuration rather than by load. Only {@code block} sessions may overdraw it, by the chunks
 * already read when their socket is paused.
 */
public final class BufferBudget {
  private final long limit;
  /** Any thread: sessions' threads acquire, decoding threads release. */
  private final AtomicLong used = new AtomicLong();
  private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();

  public BufferBudget(long limitBytes) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("buffer budget must be positive, got " + limitBytes);
    }
    this.limit = limitBytes;
  }

  public long limit() {
    return limit;
  }

  public long used() {
    return used.get();
  }

  /** Below half the limit: where shed sources may come back. */
  public boolean belowLowWatermark() {
    return used.get() <= limit / 2;
  }

  public boolean overLimit() {
    return used.get() > limit;
  }

  /** Takes {@code n} bytes if they fit. */
  boolean tryAcquire(long n) {
    while (true) {
      long cur = used.get();
      if (cur + n > limit) {
        return false;
      }
      if (used.compareAndSet(cur, cur + n)) {
        return true;
      }
    }
  }

  /** Takes {@code n} bytes whether they fit or not (chunks already read by a paused {@code block} session). */
  void forceAcquire(long n) {
    used.addAndGet(n);
  }

  void release(long n) {
    long now = used.addAndGet(-n);
    if (now <= limit && !waiters.isEmpty()) {
      wakeWaiters();
    }
  }

  /** Runs {@code task} once, as soon as the budget is within its limit (at once if it already is). */
  void whenWithinLimit(Runnable task) {
    waiters.add(task);
    // Re-check after registering, or a release between the caller's check and add() would be missed.
    if (!overLimit()) {
      wakeWaiters();
    }
  }

  private void wakeWaiters() {
    Runnable r;
    while ((r = waiters.poll()) != null) {
      r.run();
    }
  }
}
