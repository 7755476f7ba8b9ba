package dev.hark.ingest;

import dev.hark.protocol.StatusState;
import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * One source's audio as its recognizer reads it (the seed's {@code _pcm_stream}): blocking, both an iterator of
 * {@link Chunk}s and an {@link InputStream} of PCM16 bytes. It ends when the session stops and the queue is
 * drained, or at once when the connection is lost. Dropped chunks leave no bytes here but still advance the
 * source's timeline, so {@link #timelineMs} maps a position in this stream back to the client's clock.
 * Methods are synchronized only so that a recognizer abandoned as hung cannot corrupt the stream for the thread
 * that discards the rest; there is one reader at a time.
 */
public final class PcmStream extends InputStream implements Iterator<Chunk> {
  private final SourceQueue queue;
  private final String sessionId;
  private final String source;
  private final int sampleRate;
  private final Consumer<Chunk> onTake;
  private final Consumer<StatusState> status;
  private final Timeline timeline = new Timeline();
  private volatile long lastProgressNanos = System.nanoTime();
  private Chunk lookahead;
  private boolean ended;
  private Chunk current;
  private int offset;

  PcmStream(SourceQueue queue, String sessionId, String source, int sampleRate, Consumer<Chunk> onTake,
      Consumer<StatusState> status) {
    this.queue = queue;
    this.sessionId = sessionId;
    this.source = source;
    this.sampleRate = sampleRate;
    this.onTake = onTake;
    this.status = status;
  }

  public String sessionId() {
    return sessionId;
  }

  public String source() {
    return source;
  }

  public int sampleRate() {
    return sampleRate;
  }

  /** The next chunk, waiting for it; null at the end of the stream (also when this thread is interrupted). */
  public synchronized Chunk nextChunk() {
    if (lookahead != null) {
      Chunk c = lookahead;
      lookahead = null;
      return c;
    }
    if (ended) {
      return null;
    }
    Chunk c;
    try {
      c = queue.take();
    } catch (InterruptedException e) {
      // Interrupt is how a lost connection or a cancelled recognizer stops a reader; keep the flag for the caller.
      Thread.currentThread().interrupt();
      c = null;
    }
    lastProgressNanos = System.nanoTime();
    if (c == null) {
      ended = true;
      return null;
    }
    timeline.append(c.startSample(), c.samples());
    onTake.accept(c);
    return c;
  }

  @Override
  public synchronized boolean hasNext() {
    if (lookahead == null) {
      lookahead = nextChunk();
    }
    return lookahead != null;
  }

  @Override
  public synchronized Chunk next() {
    Chunk c = nextChunk();
    if (c == null) {
      throw new NoSuchElementException("the PCM stream of " + source + " has ended");
    }
    return c;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    while (current == null || offset == current.size()) {
      current = nextChunk();
      offset = 0;
      if (current == null) {
        return -1;
      }
    }
    int n = Math.min(len, current.size() - offset);
    System.arraycopy(current.pcm(), offset, b, off, n);
    offset += n;
    return n;
  }

  /**
   * Throws away the rest of the stream without delivering it (a failed recognizer's audio); returns how many
   * chunks that was, for the caller to count as dropped.
   */
  public synchronized long discardRest() {
    long n = 0;
    try {
      while (!ended && queue.take() != null) {
        n++;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ended = true;
    return n;
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

  /** How long audio has been waiting without the reader taking any: a recognizer that hangs shows here. */
  public long stalledNanos() {
    return queue.depth() == 0 ? 0 : System.nanoTime() - lastProgressNanos;
  }

  /** Restarts the stall clock (a recognizer was just assigned to this stream). */
  public void markProgress() {
    lastProgressNanos = System.nanoTime();
  }

  /** Tells the client about this source, e.g. that it waits for a free decoder. */
  public void reportStatus(StatusState state) {
    status.accept(state);
  }
}
