package dev.hark.asr;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The decode scheduler's run queue: streams with audio queued, first come first served, and the idle decoding threads
 * that wait for them. Waking a sleeping thread costs a futex call on the event loop that queued the chunk and a
 * context switch on the thread woken (together ~10 µs of CPU on a paravirtualized 2-core machine): when each 20 ms
 * chunk woke one, as it did with {@code --asr none} at 100 paced sessions, that was a quarter of the server's CPU per
 * chunk. So an idle thread that had work lately is not woken: it looks again every {@link #POLL_NANOS}, and a chunk
 * queued meanwhile waits at most that long (far within the 10 ms the queue wait's p99 is held to); many chunks then
 * cost one wake-up. A thread that looked {@link #IDLE_POLLS} times and found nothing sleeps until woken, and queuing
 * wakes one only when no thread is looking, so a quiet server costs no wake-ups at all. A thread that takes a stream
 * and leaves others behind wakes a sleeping one, so every thread serves a backlog.
 */
final class RunQueue<T> {
  /** How often an idle thread that had work lately looks for more: the most a stream waits for an idle thread. */
  static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(4);
  /** Looks in a row that found nothing before a thread sleeps until woken (40 ms: two chunks of a lone source). */
  static final int IDLE_POLLS = 10;

  private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
  /** Guards the sleepers' condition; never held while a thread polls. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition woken = lock.newCondition();
  /** Threads between two looks: each finds what is queued within {@link #POLL_NANOS}, unwoken. */
  private final AtomicInteger looking = new AtomicInteger();
  /** Threads asleep until woken (counted under the lock before they check the queue a last time). */
  private final AtomicInteger sleeping = new AtomicInteger();

  /** Queues {@code item}; wakes a thread only if none is looking and one sleeps. Any thread, never waits. */
  void offer(T item) {
    queue.offer(item);
    // Read after the offer, and a sleeper counts itself before its last look: one of the two sees the other.
    if (looking.get() == 0 && sleeping.get() > 0) {
      wakeOne();
    }
  }

  /** The head, or null if nothing is queued; never waits. */
  T poll() {
    return queue.poll();
  }

  /** The head, waiting for one (looking, then asleep) as the class says. The calling decoding thread's. */
  T take() throws InterruptedException {
    int emptyLooks = 0;
    while (true) {
      T item = queue.poll();
      if (item != null) {
        if (!queue.isEmpty() && sleeping.get() > 0) {
          wakeOne(); // more than this thread's turn is waiting
        }
        return item;
      }
      if (emptyLooks++ < IDLE_POLLS) {
        looking.incrementAndGet();
        try {
          LockSupport.parkNanos(this, POLL_NANOS);
        } finally {
          looking.decrementAndGet();
        }
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      } else {
        sleep();
        emptyLooks = 0;
      }
    }
  }

  private void sleep() throws InterruptedException {
    lock.lock();
    try {
      sleeping.incrementAndGet();
      try {
        while (queue.isEmpty()) {
          woken.await();
        }
      } finally {
        sleeping.decrementAndGet();
      }
    } finally {
      lock.unlock();
    }
  }

  private void wakeOne() {
    lock.lock();
    try {
      woken.signal();
    } finally {
      lock.unlock();
    }
  }
}
