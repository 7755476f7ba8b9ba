package dev.hark.testing;

import dev.hark.asr.AsrEngine;
import dev.hark.asr.TranscriptListener;
import dev.hark.ingest.Chunk;
import dev.hark.ingest.PcmStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A recognizer a test controls: it takes a chunk only when given a permit, so a test can stall it, let it run, and
 * see exactly which chunks reached it. Optionally fails on purpose.
 */
public final class GateEngine implements AsrEngine {
  private final Semaphore permits = new Semaphore(0);
  private final List<Chunk> consumed = new CopyOnWriteArrayList<>();
  private volatile boolean open;
  private volatile String failWith;

  @Override
  public String name() {
    return "gate";
  }

  @Override
  public void recognize(PcmStream audio, TranscriptListener results) throws Exception {
    while (true) {
      if (!open) {
        permits.acquire();
      }
      if (failWith != null) {
        throw new IllegalStateException(failWith);
      }
      Chunk c = audio.nextChunk();
      if (c == null) {
        return;
      }
      consumed.add(c);
    }
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

  public List<Chunk> consumed() {
    return consumed;
  }
}
