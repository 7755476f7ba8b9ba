package dev.hark.ingest;

import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * One source's audio as its recognizer reads it (the seed's {@code _pcm_stream}): blocking, both an iterator of
 * {@link Chunk}s (which keep their place on the source timeline) and an {@link InputStream} of PCM16 bytes. It
 * ends when the session stops and the queue is drained, or at once when the connection is lost.
 */
public final class PcmStream extends InputStream implements Iterator<Chunk> {
  private final SourceQueue queue;
  private final String sessionId;
  private final String source;
  private final int sampleRate;
  private final Consumer<Chunk> onTake;
  private Chunk lookahead;
  private boolean ended;
  private Chunk current;
  private int offset;

  PcmStream(SourceQueue queue, String sessionId, String source, int sampleRate, Consumer<Chunk> onTake) {
    this.queue = queue;
    this.sessionId = sessionId;
    this.source = source;
    this.sampleRate = sampleRate;
    this.onTake = onTake;
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
  public Chunk nextChunk() {
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
      // Interrupt is how a lost connection stops a consumer; keep the flag for the caller to see.
      Thread.currentThread().interrupt();
      c = null;
    }
    if (c == null) {
      ended = true;
      return null;
    }
    onTake.accept(c);
    return c;
  }

  @Override
  public boolean hasNext() {
    if (lookahead == null) {
      lookahead = nextChunk();
    }
    return lookahead != null;
  }

  @Override
  public Chunk next() {
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
  public int read(byte[] b, int off, int len) {
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

  /** Reads and throws away the rest of the stream; returns how many chunks that was. */
  public long discardRest() {
    long n = 0;
    while (nextChunk() != null) {
      n++;
    }
    return n;
  }
}
