package dev.hark.ingest;

import dev.hark.protocol.DropReason;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One source's audio as the recognizer's scheduler reads it (the original design's PCM stream): chunks taken in
 * turns, never waiting. A reader that finds nothing queued asks to be told when there is ({@link #whenReady}), so
 * a stream with nothing queued costs no thread. It ends when the session stops and the queue is drained, or at once
 * when the connection is lost. Dropped chunks leave no bytes here but still advance the source's timeline, so
 * {@link #timelineMs} maps a position in this stream back to the client's clock. One reader at a time.
 */
public final class PcmStream {
  private final SourceState src;
  private final SourceQueue queue;
  private final String sessionId;
  private final int sampleRate;
  private final Timeline timeline = new Timeline();
  private final AtomicBoolean failed = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();

  PcmStream(SourceState src, SourceQueue queue, String sessionId, int sampleRate) {
    this.src = src;
    this.queue = queue;
    this.sessionId = sessionId;
    this.sampleRate = sampleRate;
  }

  public String sessionId() {
    return sessionId;
  }

  public String source() {
    return src.name();
  }

  public int sampleRate() {
    return sampleRate;
  }

  /** The next chunk if one is queued now, else null: then {@link #finished()} or {@link #whenReady}. */
  public Chunk poll() {
    Chunk c = queue.poll();
    if (c != null) {
      timeline.append(c.startSample(), c.samples());
      src.taken(c);
    }
    return c;
  }

  /**
   * True, once, when the client asked for a flush and every chunk before it was taken: the reader reports the
   * recognizer's final result for what it has, then goes on.
   */
  public boolean takeFlush() {
    return queue.takeFlush();
  }

  /** True once input has ended and every chunk was taken or discarded: time to finish the stream. */
  public boolean finished() {
    return queue.isFinished();
  }

  /**
   * Runs {@code task} once, on the thread that queues the next chunk or ends input; returns false, arming nothing,
   * when a chunk is queued or input has ended already (the reader goes on at once instead).
   */
  public boolean whenReady(Runnable task) {
    return queue.whenReady(task);
  }

  /** True when the stream ended because the connection was lost: no one will hear a final result. */
  public boolean abandoned() {
    return queue.aborted();
  }

  /** Audio waiting in the queue, in milliseconds. */
  public long queuedMs() {
    return queue.bytes() / 2 * 1000 / sampleRate;
  }

  /**
   * A turn decoded {@code audioNanos} of this stream's audio in {@code decodeNanos}: the measure of its cost to the
   * recognizer. The reader's thread.
   */
  public void decoded(long audioNanos, long decodeNanos) {
    src.cost().decoded(audioNanos, decodeNanos);
  }

  /** Throws away what is queued now, counted as dropped because the recognizer failed; returns how many chunks. */
  public long discardQueued() {
    long n = 0;
    while (queue.poll() != null) {
      n++;
    }
    if (n > 0) {
      src.recordDrops(DropReason.ASR_FAILED, n);
    }
    return n;
  }

  /**
   * The recognizer of this stream failed: the client is told {@code asr_failed}; the reader goes on taking and
   * discarding ({@link #discardQueued}) until the stream is finished. Only the first call counts, from any thread.
   */
  public void fail(Throwable failure) {
    if (failed.compareAndSet(false, true)) {
      src.recognizerFailed(failure);
    }
  }

  /** The reader is done with this finished stream, for good. Only the first call counts, from any thread. */
  public void end() {
    if (ended.compareAndSet(false, true)) {
      src.streamEnded();
    }
  }

  /** Samples handed to the reader so far: the position of the end of this stream. */
  public long samplesRead() {
    return timeline.streamSamples();
  }

  /**
   * The time on the source's timeline, in ms since its first chunk, of the sample {@code streamMs} into this
   * stream. Dropped chunks between the two are counted in.
   */
  public long timelineMs(long streamMs) {
    return timeline.timelineSample(streamMs * sampleRate / 1000) * 1000 / sampleRate;
  }
}
