package dev.hark.ingest;

import java.util.ArrayDeque;

/**
 * The flushes a source's queue has pending: each a mark on the source's timeline (samples received when it was
 * asked for), oldest first, at most {@link SourceQueue#MAX_FLUSHES}. The reader takes chunks only up to the first
 * mark, and the flush is due when no chunk before it is left. Not thread-safe: the queue's lock guards it.
 */
final class FlushMarks {
  private final ArrayDeque<Long> marks = new ArrayDeque<>(2);

  boolean isEmpty() {
    return marks.isEmpty();
  }

  /** Adds a mark; false, adding nothing, when as many are pending as may be. */
  boolean add(long atSample) {
    if (marks.size() >= SourceQueue.MAX_FLUSHES) {
      return false;
    }
    marks.addLast(atSample);
    return true;
  }

  /** Whether {@code c} lies at or past the first mark: the reader must flush before it takes it. */
  boolean holdsBack(Chunk c) {
    return !marks.isEmpty() && c.startSample() >= marks.peekFirst();
  }

  /** True, and the mark forgotten, when the first flush is due: {@code head} (the next chunk, or null) is past it. */
  boolean takeDue(Chunk head) {
    if (marks.isEmpty() || (head != null && !holdsBack(head))) {
      return false;
    }
    marks.pollFirst();
    return true;
  }
}
