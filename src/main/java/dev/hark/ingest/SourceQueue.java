package dev.hark.ingest;

import dev.hark.protocol.OverflowPolicy;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between one source's socket and its recognizer: at most {@code maxChunks} chunks and, when
 * set, {@code maxBytes} bytes. One producer (the session's event loop) offers under an overflow policy; one
 * reader at a time (a decoding thread, in turns) polls, without ever waiting: it asks to be told when audio is
 * there ({@link #whenReady}). Every queued byte is held against the server's {@link BufferBudget}.
 */
public final class SourceQueue {
  /** Flushes one source may have pending; one more is refused, not merged, so each is answered once. */
  public static final int MAX_FLUSHES = 16;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Chunk> chunks;
  private final int maxChunks;
  private final long maxBytes;
  private final int lowChunks;
  private final BufferBudget budget;
  // Guarded by lock: the session's thread offers, a decoding thread polls.
  private long bytes;
  private boolean ended;
  /** Input ended because the connection was lost: what the recognizer would still say has no one to hear it. */
  private volatile boolean aborted;
  private Runnable lowWatermarkWatch;
  private final FlushMarks flushes = new FlushMarks();
  /** Told once when a chunk arrives or input ends, then disarmed: the reader asks again when it runs dry. */
  private Runnable readyWatch;
  // Mirrors for lock-free reads by gauges and the shedding scan.
  private volatile int depth;
  private volatile long queuedBytes;

  /**
   * @param maxChunks the chunk bound ({@code --queue-max})
   * @param maxBytes the byte bound ({@code --queue-max-ms} in bytes), or 0 for none
   */
  public SourceQueue(int maxChunks, long maxBytes, BufferBudget budget) {
    if (maxChunks < 1) {
      throw new IllegalArgumentException("queue needs room for at least one chunk");
    }
    this.maxChunks = maxChunks;
    this.maxBytes = maxBytes;
    this.lowChunks = maxChunks / 4;
    this.budget = budget;
    this.chunks = new ArrayDeque<>(Math.min(maxChunks, 64));
  }

  /** Queues {@code c} under {@code policy}; see {@link SubmitResult} for the outcomes. */
  SubmitResult offer(Chunk c, OverflowPolicy policy) {
    SubmitResult result;
    Runnable ready;
    lock.lock();
    try {
      if (ended) {
        return SubmitResult.CLOSED;
      }
      result = switch (policy) {
        case BLOCK -> offerBlocking(c);
        case DROP_NEWEST -> offerDropNewest(c);
        case DROP_OLDEST -> offerDropOldest(c);
      };
      ready = takeReadyWatch();
    } finally {
      lock.unlock();
    }
    if (ready != null) {
      ready.run(); // outside the lock: it hands the stream to a decoding thread
    }
    return result;
  }

  private Runnable takeReadyWatch() {
    Runnable r = readyWatch;
    if (r != null && readerHasWork()) {
      readyWatch = null;
      return r;
    }
    return null;
  }

  private SubmitResult offerBlocking(Chunk c) {
    budget.forceAcquire(c.size());
    push(c);
    return isFull() || budget.overLimit() ? SubmitResult.ACCEPTED_PAUSE : SubmitResult.ACCEPTED;
  }

  private SubmitResult offerDropNewest(Chunk c) {
    if (wouldOverflow(c.size())) {
      return SubmitResult.QUEUE_FULL;
    }
    if (!budget.tryAcquire(c.size())) {
      return SubmitResult.NO_BUDGET;
    }
    push(c);
    return SubmitResult.ACCEPTED;
  }

  private SubmitResult offerDropOldest(Chunk c) {
    // If even all of this queue's audio could not make room in the global budget, keep it and refuse the new chunk.
    if (budget.used() - bytes + c.size() > budget.limit()) {
      return SubmitResult.NO_BUDGET;
    }
    int forQueue = 0;
    while (!chunks.isEmpty() && wouldOverflow(c.size())) {
      evictHead();
      forQueue++;
    }
    int forBudget = 0;
    while (!budget.tryAcquire(c.size())) {
      if (chunks.isEmpty()) {
        // Other producers took the room meanwhile; overdraw by this one chunk rather than spin.
        budget.forceAcquire(c.size());
        break;
      }
      evictHead();
      forBudget++;
    }
    push(c);
    if (forQueue + forBudget == 0) {
      return SubmitResult.ACCEPTED;
    }
    return forQueue == 1 && forBudget == 0
        ? SubmitResult.DROPPED_ONE_OLDEST
        : new SubmitResult.DroppedOldest(forQueue, forBudget);
  }

  /** A chunk, a flush or the end waits for the reader. Under the lock. */
  private boolean readerHasWork() {
    return !chunks.isEmpty() || ended || !flushes.isEmpty();
  }

  private boolean wouldOverflow(int size) {
    return chunks.size() >= maxChunks || (maxBytes > 0 && bytes + size > maxBytes);
  }

  private boolean isFull() {
    return chunks.size() >= maxChunks || (maxBytes > 0 && bytes >= maxBytes);
  }

  private boolean isAtLowWatermark() {
    return chunks.size() <= lowChunks && (maxBytes == 0 || bytes <= maxBytes / 4);
  }

  private void push(Chunk c) {
    chunks.addLast(c);
    bytes += c.size();
    mirror();
  }

  private void evictHead() {
    Chunk old = chunks.pollFirst();
    bytes -= old.size();
    budget.release(old.size());
    mirror();
  }

  private void mirror() {
    depth = chunks.size();
    queuedBytes = bytes;
  }

  /**
   * The next chunk if one is queued before the next flush position, else null (see {@link #takeFlush()} and
   * {@link #isFinished()}); never waits.
   */
  Chunk poll() {
    Chunk c;
    Runnable watcher = null;
    lock.lock();
    try {
      c = chunks.peekFirst();
      if (c == null || flushes.holdsBack(c)) {
        return null;
      }
      chunks.pollFirst();
      bytes -= c.size();
      mirror();
      if (lowWatermarkWatch != null && isAtLowWatermark()) {
        watcher = lowWatermarkWatch;
        lowWatermarkWatch = null;
      }
    } finally {
      lock.unlock();
    }
    budget.release(c.size());
    if (watcher != null) {
      watcher.run();
    }
    return c;
  }

  /**
   * Asks the reader to flush its recognizer once every chunk before {@code atSample} (the source's samples received
   * so far) has been taken; ignored after input ended, whose finish flushes anyway. Returns false, asking nothing,
   * when {@link #MAX_FLUSHES} are pending already.
   */
  boolean requestFlush(long atSample) {
    Runnable ready;
    lock.lock();
    try {
      if (ended) {
        return true;
      }
      if (!flushes.add(atSample)) {
        return false;
      }
      ready = takeReadyWatch();
    } finally {
      lock.unlock();
    }
    if (ready != null) {
      ready.run();
    }
    return true;
  }

  /** True, and forgotten, when a flush is due: every chunk before its position has been taken. */
  boolean takeFlush() {
    lock.lock();
    try {
      return flushes.takeDue(chunks.peekFirst());
    } finally {
      lock.unlock();
    }
  }

  /** True once input has ended and every chunk has been taken or discarded. */
  boolean isFinished() {
    lock.lock();
    try {
      return ended && chunks.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Arms {@code task} to run once, on the thread that queues the next chunk, asks for a flush or ends input. Returns
   * false, arming nothing, when a chunk or flush is already queued or input has ended: the caller goes on at once.
   */
  boolean whenReady(Runnable task) {
    lock.lock();
    try {
      if (readerHasWork()) {
        return false;
      }
      readyWatch = task;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code task} once, on the reader's thread, when the queue has fallen to its low watermark (a quarter
   * of its bounds). Returns false, arming nothing, if it already has.
   */
  boolean whenAtLowWatermark(Runnable task) {
    lock.lock();
    try {
      if (isAtLowWatermark()) {
        return false;
      }
      lowWatermarkWatch = task;
      return true;
    } finally {
      lock.unlock();
    }
  }

  boolean atLowWatermark() {
    lock.lock();
    try {
      return isAtLowWatermark();
    } finally {
      lock.unlock();
    }
  }

  /** Discards every queued chunk and returns how many there were. */
  int clear() {
    lock.lock();
    try {
      int n = chunks.size();
      budget.release(bytes);
      chunks.clear();
      bytes = 0;
      mirror();
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** No more input: the reader takes what is queued, then sees the end. */
  void end() {
    endThen(false);
  }

  /** Ends input and discards what is queued (the connection is lost); returns how many chunks were discarded. */
  int abort() {
    aborted = true;
    return endThen(true);
  }

  boolean aborted() {
    return aborted;
  }

  private int endThen(boolean discard) {
    int discarded = 0;
    Runnable ready;
    lock.lock();
    try {
      ended = true;
      if (discard) {
        discarded = clear();
      }
      ready = takeReadyWatch();
    } finally {
      lock.unlock();
    }
    if (ready != null) {
      ready.run();
    }
    return discarded;
  }

  public int depth() {
    return depth;
  }

  public long bytes() {
    return queuedBytes;
  }

  public int capacity() {
    return maxChunks;
  }
}
