package dev.hark.asr;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms recognizers so that a burst on a server started a moment ago costs what a later one does: a Vosk
 * recognizer expands the parts of the decoding graph it meets and keeps them, so a new one decodes dearer than one
 * that has decoded speech (docs/benchmarks.md). Each warmed recognizer decodes the engine's bundled speech on a
 * platform thread of the warm-up's own pool (native, CPU-bound work: never an event loop or a virtual thread's
 * carrier), as many at once as there are decoding threads, and goes to the spares as soon as it is warm, where the
 * first streams find it. The server waits for the warm-up only up to a deadline, so it is ready within seconds
 * however many recognizers it warms; the rest join the spares as they finish.
 */
final class RecognizerWarmUp {
  private static final Logger log = LoggerFactory.getLogger(RecognizerWarmUp.class);
  private static final TranscriptListener IGNORED = (text, isFinal, startMs, endMs, words) -> { };

  private final CountDownLatch done;
  private final AtomicInteger warmed = new AtomicInteger();
  private final ExecutorService threads;

  /**
   * Starts warming {@code count} recognizers of {@code engine} on {@code speech}, in turns of {@code turnBytes},
   * with {@code parallel} threads, each given to {@code pool} when warm.
   */
  RecognizerWarmUp(AsrEngine engine, RecognizerPool pool, int count, int parallel, byte[] speech, int turnBytes) {
    done = new CountDownLatch(count);
    AtomicInteger names = new AtomicInteger();
    threads = Executors.newFixedThreadPool(Math.max(1, parallel),
        r -> Thread.ofPlatform().daemon().name("asr-warm-up-" + names.incrementAndGet()).unstarted(r));
    for (int i = 0; i < count; i++) {
      threads.execute(() -> {
        try {
          if (pool.give(warmOne(engine, speech, turnBytes), AsrEngine.WARM_UP_RATE)) {
            warmed.incrementAndGet();
          }
        } catch (Exception | LinkageError e) {
          log.warn("a recognizer could not be warmed (it warms on a stream instead): {}", e.toString());
        } finally {
          done.countDown();
        }
      });
    }
    threads.shutdown(); // its threads end when the queued warm-ups are done
  }

  /** Waits up to {@code millis} for every recognizer to be warm; returns how many are warm by then. */
  int await(long millis) {
    try {
      done.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return warmed.get();
  }

  /** Stops warming: those not started are not (the server is closing). */
  void cancel() {
    threads.shutdownNow();
  }

  private static StreamRecognizer warmOne(AsrEngine engine, byte[] speech, int turnBytes) throws Exception {
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
