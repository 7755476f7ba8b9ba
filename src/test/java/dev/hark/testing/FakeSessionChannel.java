package dev.hark.testing;

import dev.hark.ingest.SessionChannel;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.StatusState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A session's connection without a socket, for deterministic tests: tasks run at once on the caller's thread,
 * scheduled ones wait for {@link #runDue()} on the test's clock, and every message sent is kept with its time.
 */
public final class FakeSessionChannel implements SessionChannel {
  /** A message, the clock's time when it was sent, and what the test's probe read then. */
  public record Sent(long atNanos, ServerMessage message, long probe) {}

  private record Timer(long dueNanos, Runnable task) {}

  private final LongSupplier clock;
  private final LongSupplier probe;
  private final List<Sent> sent = new ArrayList<>();
  private final List<Timer> timers = new ArrayList<>();
  private boolean reading = true;
  private int closeCode;

  public FakeSessionChannel(LongSupplier clock) {
    this(clock, () -> 0);
  }

  /** {@code probe} is read as each message is sent (e.g. the buffer budget in use at that moment). */
  public FakeSessionChannel(LongSupplier clock, LongSupplier probe) {
    this.clock = clock;
    this.probe = probe;
  }

  @Override
  public void send(ServerMessage message) {
    sent.add(new Sent(clock.getAsLong(), message, probe.getAsLong()));
  }

  @Override
  public void execute(Runnable task) {
    task.run();
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    timers.add(new Timer(clock.getAsLong() + delayNanos, task));
  }

  /** Runs the scheduled tasks that are due by now, earliest first. */
  public void runDue() {
    while (true) {
      Timer next = timers.stream().filter(t -> t.dueNanos() <= clock.getAsLong())
          .min(Comparator.comparingLong(Timer::dueNanos)).orElse(null);
      if (next == null) {
        return;
      }
      timers.remove(next);
      next.task().run();
    }
  }

  @Override
  public void setReading(boolean reading) {
    this.reading = reading;
  }

  public boolean reading() {
    return reading;
  }

  @Override
  public void close(int code, String reason) {
    closeCode = code;
  }

  public int closeCode() {
    return closeCode;
  }

  /** The test's thread is the session's thread. */
  @Override
  public boolean inSessionThread() {
    return true;
  }

  @Override
  public String remoteAddress() {
    return "test";
  }

  public List<Sent> sent() {
    return sent;
  }

  /** The status messages of {@code state} sent so far, in order. */
  public List<ServerMessage.Status> statuses(StatusState state) {
    List<ServerMessage.Status> out = new ArrayList<>();
    for (Sent s : sent) {
      if (s.message() instanceof ServerMessage.Status st && st.state() == state) {
        out.add(st);
      }
    }
    return out;
  }
}
