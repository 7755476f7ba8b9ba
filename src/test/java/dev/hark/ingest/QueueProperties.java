package dev.hark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.protocol.OverflowPolicy;
import dev.hark.testing.Theories;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Invariants of the source queues and the global buffer budget under any sequence of offers and polls: every chunk
 * offered is queued, read or dropped (never lost uncounted; under {@code block} never dropped), and the budget
 * equals the bytes queued, never negative and, under the dropping policies, never over its bound or the queue's.
 */
class QueueProperties {
  /** One step: offer a chunk of {@code bytes} to queue {@code queue}, or (bytes 0) poll that queue. */
  record Step(int queue, int bytes) {}

  /** A poll one step in four; otherwise an offer of an even 2 to 1800 bytes. Shrinks toward polls of queue 0. */
  private static final Gen<Step> STEP = Generate.range(0, 2).zip(
      Generate.frequency(Pair.of(1, Generate.constant(0)), Pair.of(3, Generate.range(1, 900).map(n -> n * 2))),
      Step::new);
  private static final Gen<List<Step>> STEPS = Theories.listsOf(STEP, 1, 300);

  @Test
  void everyChunkIsQueuedReadOrDroppedAndTheBudgetMatchesTheQueues() {
    Theories.qt(300)
        .forAll(STEPS, Generate.range(2_000, 40_000), Generate.enumValues(OverflowPolicy.class), Generate.range(1, 12))
        .checkAssert(QueueProperties::replay);
  }

  private static void replay(List<Step> steps, int budgetBytes, OverflowPolicy policy, int maxChunks) {
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
