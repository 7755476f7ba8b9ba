package dev.hark.testing;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads this JVM's own memory counters while an attack runs: off-heap bytes in use (the JDK's direct buffer pool
 * plus the memory Netty reserves itself when it bypasses that pool) sampled every few milliseconds for the peak,
 * and the heap in use after a collection.
 */
public final class MemoryProbe implements AutoCloseable {
  private final long directBaseline;
  private final long heapBaseline;
  private final AtomicLong directPeak = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread sampler;

  private MemoryProbe() {
    heapBaseline = heapAfterGc();
    directBaseline = directBytes();
    directPeak.set(directBaseline);
    sampler = Thread.ofPlatform().daemon().name("memory-probe").start(() -> {
      while (running.get()) {
        directPeak.accumulateAndGet(directBytes(), Math::max);
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  /** Takes the baselines (after a collection) and starts sampling. */
  public static MemoryProbe start() {
    return new MemoryProbe();
  }

  /** Off-heap bytes this JVM has reserved for buffers now. */
  public static long directBytes() {
    long jdk = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        jdk = pool.getMemoryUsed();
      }
    }
    long netty = PlatformDependent.usedDirectMemory(); // -1 when Netty allocates through the JDK's pool
    return jdk + Math.max(0, netty);
  }

  /** Heap bytes in use after a full collection. */
  public static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** How far off-heap memory rose above its baseline at the highest sample so far. */
  public long directGrowth() {
    directPeak.accumulateAndGet(directBytes(), Math::max);
    return directPeak.get() - directBaseline;
  }

  /** How much more heap is in use after a collection now than at the start (what the attack still holds). */
  public long heapGrowth() {
    return heapAfterGc() - heapBaseline;
  }

  /** One line for the test's output: the figures a closing note quotes. */
  public String report(String what) {
    return String.format("%s: direct +%.1f MB at peak, heap after GC %+.1f MB", what, directGrowth() / 1e6,
        heapGrowth() / 1e6);
  }

  @Override
  public void close() {
    running.set(false);
    sampler.interrupt();
  }
}
