package dev.hark.ingest;

import dev.hark.protocol.OverflowPolicy;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code SourceQueue} offer/take under each overflow policy (one thread: the cost of the queue itself, without the
 * wake-up of a consumer), and a full queue's overflow path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class QueueBench {
  @Param({"DROP_OLDEST", "DROP_NEWEST", "BLOCK"})
  public OverflowPolicy policy;

  SourceQueue queue;
  SourceQueue full;
  Chunk chunk;

  @Setup
  public void setUp() {
    BufferBudget budget = new BufferBudget(1L << 40);
    queue = new SourceQueue(48, 0, budget);
    full = new SourceQueue(48, 0, budget);
    chunk = new Chunk(new byte[640], 0, 0);
    for (int i = 0; i < 48; i++) {
      full.offer(chunk, OverflowPolicy.DROP_OLDEST);
    }
  }

  @Benchmark
  public Chunk offerThenTake() throws InterruptedException {
    queue.offer(chunk, policy);
    return queue.poll();
  }

  /** A full queue: drop_oldest evicts and queues, drop_newest refuses, block queues over (then we take one back). */
  @Benchmark
  public Object offerWhenFull() throws InterruptedException {
    SubmitResult r = full.offer(chunk, policy);
    if (policy == OverflowPolicy.BLOCK) {
      full.poll();
    }
    return r;
  }
}
