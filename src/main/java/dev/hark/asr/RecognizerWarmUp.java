package dev.hark.asr;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms recognizers so that a burst on a server started a moment ago costs what a later one does: a Vosk
 * recognizer expands the parts of the decoding graph it meets and keeps them, so a new one decodes dearer than one
 * that has decoded speech (docs/benchmarks.md). Each warmed recognizer decodes the engine's bundled speech on a
 * platform thread of the warm-up's own pool (native, CPU-bound work: never an event loop or a virtual thread's
 * carrier), as many at once as there are decoding threads, and goes to the spares as soon as it is warm, where the
 * first streams find it. None starts after a deadline, so the server is ready within seconds however many it was
 * asked for, and none goes on once sessions are taken: warming in the background, even only while the decoders
 * looked idle, took the cores from real-time streams between their turns (docs/benchmarks.md). New streams beyond
 * the warm spares are admitted at the cold prior.
 */
final class RecognizerWarmUp {
  private static final Logger log = LoggerFactory.getLogger(RecognizerWarmUp.class);
  private static final TranscriptListener IGNORED = (text, isFinal, startMs, endMs, words) -> { };

  private final CountDownLatch done;
  private final AsrEngine engine;
  private final AtomicInteger warmed = new AtomicInteger();
  private final ExecutorService threads;

  /**
   * Starts warming up to {@code count} recognizers of {@code engine} on {@code speech}, in turns of
   * {@code turnBytes}, with {@code parallel} threads, each given to {@code pool} when warm; none starts after
   * {@code deadlineNanos} ({@link System#nanoTime()}).
   */
  RecognizerWarmUp(AsrEngine engine, RecognizerPool pool, int count, int parallel, byte[] speech, int turnBytes,
      long deadlineNanos) {
    this.engine = engine;
    done = new CountDownLatch(count);
    AtomicInteger names = new AtomicInteger();
    threads = Executors.newFixedThreadPool(Math.max(1, parallel),
        r -> Thread.ofPlatform().daemon().name("asr-warm-up-" + names.incrementAndGet()).unstarted(r));
    for (int i = 0; i < count; i++) {
      threads.execute(() -> {
        try {
          if (System.nanoTime() - deadlineNanos < 0
              && pool.give(warmOne(speech, turnBytes), AsrEngine.WARM_UP_RATE)) {
            warmed.incrementAndGet();
          }
        } catch (Exception | LinkageError e) {
          if (!(e instanceof InterruptedException)) {
            log.warn("a recognizer could not be warmed (it warms on a stream instead): {}", e.toString());
          }
        } finally {
          done.countDown();
        }
      });
    }
    threads.shutdown(); // its threads end when the queued warm-ups are done
  }

  /** Waits for the warm-up to end (those started by the deadline are warm); returns how many were warmed. */
  int await() {
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return warmed.get();
  }

  /** Stops warming: those not started are not (the server is closing). */
  void cancel() {
    threads.shutdownNow();
  }

  private StreamRecognizer warmOne(byte[] speech, int turnBytes) throws Exception {
    StreamRecognizer r = engine.open(AsrEngine.WARM_UP_RATE);
    try {
      // In turns, as the scheduler feeds a stream.
      byte[] turn = new byte[turnBytes];
      for (int at = 0; at < speech.length; at += turnBytes) {
        int n = Math.min(turnBytes, speech.length - at);
        System.arraycopy(speech, at, turn, 0, n);
        r.accept(turn, n, IGNORED);
      }
      r.finish(IGNORED);
      return r;
    } catch (Exception | Error e) {
      r.close();
      throw e;
    }
  }
}
