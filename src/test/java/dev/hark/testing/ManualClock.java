package dev.hark.testing;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when a test says so. */
public final class ManualClock implements LongSupplier {
  private long now = 1_000_000_000_000L;

  @Override
  public long getAsLong() {
    return now;
  }

  public void advance(Duration d) {
    now += d.toNanos();
  }

  public void advanceMillis(long ms) {
    now += ms * 1_000_000L;
  }
}
