package dev.hark.testing;

import dev.hark.asr.AsrEngine;
import dev.hark.asr.AsrSettings;
import dev.hark.asr.StreamRecognizer;
import dev.hark.asr.TranscriptListener;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A recognizer a test controls: it finishes a chunk only when given a permit, so a test can stall it, let it run,
 * and see exactly which chunks reached it. A server with this engine decodes in turns of one 20 ms chunk, on
 * enough threads that every stalled stream holds one ({@link #ASR}); a stalled stream holds exactly one chunk in
 * its turn, out of its queue. Optionally fails on purpose.
 */
public final class GateEngine implements AsrEngine {
  /** The decoding a server with this engine runs with: a chunk a turn, a thread for each stalled stream. */
  public static final AsrSettings ASR = AsrSettings.defaults().withWorkers(16).withTurnMs(20);

  private final Semaphore permits = new Semaphore(0);
  private final AtomicInteger held = new AtomicInteger();
  private final List<byte[]> consumed = new CopyOnWriteArrayList<>();
  private volatile boolean open;
  private volatile String failWith;

  @Override
  public String name() {
    return "gate";
  }

  @Override
  public StreamRecognizer open(int sampleRate) {
    return new StreamRecognizer() {
      @Override
      public void accept(byte[] pcm, int length, TranscriptListener results) throws InterruptedException {
        if (!open) {
          held.incrementAndGet();
          try {
            permits.acquire();
          } finally {
            held.decrementAndGet();
          }
        }
        if (failWith != null) {
          throw new IllegalStateException(failWith);
        }
        consumed.add(Arrays.copyOf(pcm, length));
      }

      @Override
      public void finish(TranscriptListener results) {}

      @Override
      public void close() {}
    };
  }

  /** Lets every chunk through from now on. */
  public void open() {
    open = true;
    permits.release(1_000_000);
  }

  /** Lets {@code n} more chunks through. */
  public void allow(int n) {
    permits.release(n);
  }

  public void failNext(String message) {
    failWith = message;
    permits.release(1);
  }

  /** Waits until {@code n} turns are stalled at the gate, each holding its chunk out of its queue. */
  public void awaitHeld(int n) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> held.get() == n);
  }

  /** The PCM of every chunk the recognizer has finished, in order. */
  public List<byte[]> consumed() {
    return consumed;
  }
}
