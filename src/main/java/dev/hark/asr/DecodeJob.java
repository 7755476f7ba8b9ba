package dev.hark.asr;

import dev.hark.ingest.Chunk;
import dev.hark.ingest.PcmStream;
import dev.hark.protocol.Word;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One stream in the {@link DecodeScheduler}: at any moment it is in exactly one place, the run queue, a decoding
 * thread's turn, or armed on its queue waiting for audio, so one thread at a time touches its recognizer. After a
 * failure it stays until its stream is finished, discarding (and counting) what arrives.
 */
final class DecodeJob {
  private final DecodeScheduler scheduler;
  private final PcmStream audio;
  private final TranscriptListener results;
  private final int turnBytes;
  // Owned by the decoding thread in this job's turn: one turn at a time, handed over through the run queue (which
  // orders memory). The recognizer is also closed at shutdown or after a hang, under this job's lock.
  private byte[] buf;
  private StreamRecognizer recognizer;
  /** Written by the turn's thread, read by the gauge: audio taken for the turn in progress, in ms. */
  private volatile long inTurnMs;
  private volatile boolean failed;
  /** A thread written off as hung still holds the recognizer; it closes it if its call ever returns. */
  private volatile boolean heldByHungThread;
  /** A decoding thread is in this job's turn now. */
  private volatile boolean inTurn;

  DecodeJob(DecodeScheduler scheduler, PcmStream audio, TranscriptListener results) {
    this.scheduler = scheduler;
    this.audio = audio;
    this.results = results;
    this.turnBytes = Math.max(2, audio.sampleRate() * 2 * scheduler.turnMs() / 1000);
  }

  String sessionId() {
    return audio.sessionId();
  }

  String source() {
    return audio.source();
  }

  long lagMs() {
    return audio.queuedMs() + inTurnMs;
  }

  /** Waits, without a thread, for the next chunk or the end; if either is there already, gets in line now. */
  void waitForAudio() {
    if (!audio.whenReady(() -> scheduler.ready(this))) {
      scheduler.ready(this);
    }
  }

  /** One turn on a decoding thread; {@code writtenOff} turns true if the watchdog gave up on this thread. */
  void turn(BooleanSupplier writtenOff) {
    inTurn = true;
    try {
      turnInPlace(writtenOff);
    } finally {
      inTurn = false;
    }
  }

  private void turnInPlace(BooleanSupplier writtenOff) {
    if (failed) {
      discard();
      return;
    }
    try {
      if (recognizer == null) {
        recognizer = scheduler.recognizers().take(audio.sampleRate());
        scheduler.meters().recognizerOpened();
      }
      scheduler.meters().lag(lagMs());
      int n = gather();
      if (n > 0) {
        long t0 = scheduler.now();
        long c0 = scheduler.costNanos();
        recognizer.accept(buf, n, this::report);
        long audioNanos = n / 2 * 1_000_000_000L / audio.sampleRate();
        scheduler.meters().decoded(audioNanos, scheduler.now() - t0);
        audio.decoded(audioNanos, scheduler.costNanos() - c0);
      }
      inTurnMs = 0;
      if (writtenOff.getAsBoolean()) {
        closeRecognizer(); // the watchdog has failed this stream and handed it on: only the recognizer is ours
        return;
      }
      if (audio.takeFlush()) {
        recognizer.flush(this::report);
        results.flushed(); // another due flush makes the stream ready again at once
      }
      if (audio.finished()) {
        if (!audio.abandoned()) {
          recognizer.finish(this::report);
        }
        while (audio.takeFlush()) {
          results.flushed(); // a flush asked for just before the end: the finish answered it
        }
        releaseRecognizer(true);
        scheduler.ended(this);
        audio.end();
        return;
      }
    } catch (Exception | LinkageError e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt(); // the scheduler is closing: its thread will see it and end
      }
      inTurnMs = 0;
      if (writtenOff.getAsBoolean()) {
        closeRecognizer();
        return;
      }
      failed = true;
      closeRecognizer();
      scheduler.meters().failed();
      audio.fail(e);
      discard();
      return;
    }
    waitForAudio();
  }

  /** The watchdog gave up on the turn in progress: the stream fails now; its audio is discarded by other threads. */
  void hung(Exception e) {
    heldByHungThread = true;
    failed = true;
    scheduler.meters().failed();
    audio.fail(e);
    scheduler.ready(this);
  }

  /** A failed stream's turn: what is queued is counted as dropped; it ends when its input does. */
  private void discard() {
    audio.discardQueued();
    while (audio.takeFlush()) {
      results.flushed(); // nothing to report, but whoever waits for it is told (after asr_failed)
      audio.discardQueued();
    }
    if (audio.finished()) {
      if (!heldByHungThread) {
        closeRecognizer();
      }
      scheduler.ended(this);
      audio.end();
    } else {
      waitForAudio();
    }
  }

  /** Takes up to a turn's worth of queued audio into {@code buf}; returns its length in bytes. */
  private int gather() {
    if (buf == null) {
      buf = new byte[turnBytes];
    }
    int bytes = 0;
    while (bytes < turnBytes) {
      Chunk c = audio.poll();
      if (c == null) {
        break;
      }
      if (bytes + c.size() > buf.length) {
        buf = Arrays.copyOf(buf, bytes + c.size()); // a client's chunk longer than a turn
      }
      System.arraycopy(c.pcm(), 0, buf, bytes, c.size());
      bytes += c.size();
    }
    inTurnMs = bytes / 2 * 1000L / audio.sampleRate();
    return bytes;
  }

  /** Moves a result from this stream's time onto the source's timeline (dropped chunks counted in). */
  private void report(String text, boolean isFinal, long startMs, long endMs, List<Word> words) {
    List<Word> onTimeline = new ArrayList<>(words.size());
    for (Word w : words) {
      onTimeline.add(w.at(audio.timelineMs(w.startMs()), audio.timelineMs(w.endMs())));
    }
    scheduler.meters().result(isFinal);
    results.onResult(text, isFinal, audio.timelineMs(startMs), audio.timelineMs(endMs), onTimeline);
  }

  /** At shutdown: frees the recognizer unless a thread is in its turn (or hung in it). */
  void closeIfIdle() {
    if (!inTurn && !heldByHungThread) {
      closeRecognizer();
    }
  }

  /** Frees the recognizer, once. */
  private void closeRecognizer() {
    releaseRecognizer(false);
  }

  /** Lets go of the recognizer, once: back to the spares if the stream ended well, else closed. */
  private synchronized void releaseRecognizer(boolean reusable) {
    if (recognizer != null) {
      boolean kept = reusable && scheduler.recognizers().give(recognizer, audio.sampleRate());
      if (!reusable) {
        recognizer.close();
      }
      recognizer = null;
      scheduler.meters().recognizerReleased(!kept);
    }
  }
}
