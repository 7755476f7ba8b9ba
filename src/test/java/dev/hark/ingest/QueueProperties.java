package dev.hark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.protocol.OverflowPolicy;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Invariants of the source queues and the global buffer budget under any sequence of offers and polls: every chunk
 * offered is queued, read or dropped (never lost uncounted; under {@code block} never dropped), and the budget
 * equals the bytes queued, never negative and, under the dropping policies, never over its bound or the queue's.
 */
class QueueProperties {
  /** One step: offer a chunk of {@code bytes} to queue {@code queue}, or (bytes 0) poll that queue. */
  record Step(int queue, int bytes) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 2),
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(1, Arbitraries.just(0)),
            net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(1, 900).map(n -> n * 2))))
        .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(300);
  }

  @Property(tries = 300)
  void everyChunkIsQueuedReadOrDroppedAndTheBudgetMatchesTheQueues(@ForAll("steps") List<Step> steps,
      @ForAll @IntRange(min = 2_000, max = 40_000) int budgetBytes, @ForAll OverflowPolicy policy,
      @ForAll @IntRange(min = 1, max = 12) int maxChunks) {
    BufferBudget budget = new BufferBudget(budgetBytes);
    List<SourceQueue> queues = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queues.add(new SourceQueue(maxChunks, Long.MAX_VALUE, budget));
    }
    long[] offered = new long[3];
    long[] read = new long[3];
    long[] dropped = new long[3];
    for (Step s : steps) {
      SourceQueue q = queues.get(s.queue());
      if (s.bytes() == 0) {
        if (q.poll() != null) {
          read[s.queue()]++;
        }
      } else {
        offered[s.queue()]++;
        switch (q.offer(new Chunk(new byte[s.bytes()], 0, 0), policy)) {
          case SubmitResult.Accepted a -> { }
          case SubmitResult.DroppedOldest d -> dropped[s.queue()] += d.forQueue() + d.forBudget();
          case SubmitResult.Rejected r -> dropped[s.queue()]++;
        }
      }
      long queuedBytes = 0;
      for (int i = 0; i < 3; i++) {
        SourceQueue qi = queues.get(i);
        assertThat(offered[i]).isEqualTo(qi.depth() + read[i] + dropped[i]);
        queuedBytes += qi.bytes();
        if (policy == OverflowPolicy.BLOCK) {
          assertThat(dropped[i]).as("block never drops: it pauses the socket instead").isZero();
        } else {
          assertThat(qi.depth()).isBetween(0, maxChunks);
        }
      }
      assertThat(budget.used()).isEqualTo(queuedBytes).isNotNegative();
      if (policy != OverflowPolicy.BLOCK) {
        assertThat(budget.used()).isLessThanOrEqualTo(budgetBytes);
      }
    }
  }
}
