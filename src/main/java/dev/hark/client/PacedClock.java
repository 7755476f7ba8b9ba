package dev.hark.client;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The paced sessions of one event loop, ticked from a single 1 ms timer: each session sits in one of the chunk
 * period's millisecond slots, so a thousand sessions cost the loop a thousand wake-ups a second, not fifty thousand,
 * and the load is spread evenly over the period.
 */
final class PacedClock {
  private final List<List<BenchSession>> slots = new ArrayList<>();
  private long tick;
  private final ScheduledFuture<?> timer;

  PacedClock(EventLoop loop, int periodMs) {
    for (int i = 0; i < periodMs; i++) {
      slots.add(new ArrayList<>());
    }
    timer = loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.MILLISECONDS);
  }

  /** Adds a session to the given slot; call on the clock's loop. */
  void add(BenchSession s, int slot) {
    slots.get(slot % slots.size()).add(s);
  }

  private void tick() {
    List<BenchSession> slot = slots.get((int) (tick++ % slots.size()));
    // A session that has finished sending leaves its slot.
    slot.removeIf(s -> !s.tick());
  }

  /** Stops ticking (the run is over); call on the clock's loop. */
  void stop() {
    timer.cancel(false);
  }
}
