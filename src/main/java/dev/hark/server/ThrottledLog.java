package dev.hark.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One log line a second at most for events that clients can cause at will (malformed requests, floods), so no
 * client can fill the log; the next line says how many were left out. Thread-safe: shared by all connections.
 */
final class ThrottledLog {
  private static final long SECOND = 1_000_000_000L;

  private final Logger log;
  private final LongSupplier nanoClock;
  private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong skipped = new AtomicLong();

  ThrottledLog(Logger log, LongSupplier nanoClock) {
    this.log = log;
    this.nanoClock = nanoClock;
  }

  /** Logs at INFO unless a line went out within the last second; the message must hold no client input. */
  void info(String message) {
    String line = admit();
    if (line != null) {
      log.info(message + line);
    }
  }

  /** Logs at WARN with the stack trace, scrubbed of client input (see {@link LogSafe}), at most once a second. */
  void warn(String message, Throwable cause) {
    String line = admit();
    if (line != null) {
      log.warn(message + line, LogSafe.scrub(cause));
    }
  }

  /** Null if a line went out within the last second, else the suffix that says how many were left out. */
  private String admit() {
    long now = nanoClock.getAsLong();
    long due = next.get();
    if ((due != Long.MIN_VALUE && now - due < 0) || !next.compareAndSet(due, now + SECOND)) {
      skipped.incrementAndGet();
      return null;
    }
    long n = skipped.getAndSet(0);
    return n == 0 ? "" : " (" + n + " more like it not logged)";
  }
}
