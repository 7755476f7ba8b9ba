package dev.hark.ingest;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ServerMessage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code ConcurrencyController.submitChunk} for a session with one source, the chunk then taken by the consumer side.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SubmitBench {
  ConcurrencyController controller;
  SessionState session;
  SourceState source;
  Chunk chunk;

  /** A channel that goes nowhere: the benchmark measures ingest, not the network. */
  static final class NoChannel implements SessionChannel {
    public void send(ServerMessage m) {}
    public void execute(Runnable task) {
      task.run();
    }
    public void schedule(Runnable task, long delayNanos) {}
    public void setReading(boolean reading) {}
    public void close(int code, String reason) {}
    public boolean inSessionThread() {
      return true;
    }
    public String remoteAddress() {
      return "bench";
    }
  }

  @Setup
  public void setUp() {
    controller = new ConcurrencyController(IngestSettings.defaults(), new HarkMetrics(), System::nanoTime);
    controller.admission().markLoaded();
    // The consumer never runs: the benchmark takes chunks back itself, so no thread is woken.
    session = new SessionState("bench", new NoChannel(), controller, (audio, replies) -> { }, null, Integer.MAX_VALUE);
    SourceQueue queue = new SourceQueue(48, 0, controller.budget());
    source = new SourceState(session, "mic", queue, controller.metrics(), 16000, 1_000_000_000L);
    chunk = new Chunk(new byte[640], 0, 0);
  }

  @Benchmark
  public Chunk submitThenTake() throws InterruptedException {
    controller.submitChunk(session, source, chunk);
    return source.queue().poll();
  }
}
