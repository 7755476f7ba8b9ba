package dev.hark.asr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The run queue's waits, on real threads: nothing queued is ever left waiting for a thread that sleeps (the wake-up
 * that is saved while a thread looks must not be lost once none does), and an interrupt ends a wait.
 */
class RunQueueTest {
  private static final long IDLE_MS = TimeUnit.NANOSECONDS.toMillis(RunQueue.POLL_NANOS) * RunQueue.IDLE_POLLS;

  @Test
  void whatIsQueuedFirstIsTakenFirst() throws Exception {
    RunQueue<String> q = new RunQueue<>();
    q.offer("a");
    q.offer("b");
    assertThat(q.take()).isEqualTo("a");
    assertThat(q.poll()).isEqualTo("b");
    assertThat(q.poll()).isNull();
  }

  @Test
  void aThreadAsleepIsWokenByTheNextOffer() throws Exception {
    RunQueue<Integer> q = new RunQueue<>();
    for (int i = 0; i < 20; i++) { // offers made while the taker looks, while it falls asleep, and once asleep
      CompletableFuture<Integer> taken = takeOnAnotherThread(q);
      Thread.sleep(i % 2 == 0 ? IDLE_MS * 3 : i);
      q.offer(i);
      assertThat(taken.get(5, TimeUnit.SECONDS)).isEqualTo(i);
    }
  }

  @Test
  void anInterruptEndsTheWaitLookingOrAsleep() throws Exception {
    for (long waitMs : new long[] {1, IDLE_MS * 3}) {
      RunQueue<Integer> q = new RunQueue<>();
      AtomicReference<Throwable> ended = new AtomicReference<>();
      Thread t = Thread.ofPlatform().start(() -> {
        try {
          q.take();
        } catch (InterruptedException | RuntimeException e) {
          ended.set(e);
        }
      });
      Thread.sleep(waitMs);
      t.interrupt();
      t.join(5_000);
      assertThat(t.isAlive()).isFalse();
      assertThat(ended.get()).isInstanceOf(InterruptedException.class);
    }
  }

  private static CompletableFuture<Integer> takeOnAnotherThread(RunQueue<Integer> q) {
    CompletableFuture<Integer> taken = new CompletableFuture<>();
    Thread.ofPlatform().daemon().start(() -> {
      try {
        taken.complete(q.take());
      } catch (InterruptedException e) {
        taken.completeExceptionally(e);
      }
    });
    return taken;
  }
}
