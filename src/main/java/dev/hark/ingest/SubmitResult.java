package dev.hark.ingest;

import dev.hark.protocol.DropReason;

/** What {@link ConcurrencyController#submitChunk} did with a chunk; the hot path returns shared constants. */
public sealed interface SubmitResult {

  /** The chunk is queued; with {@code pauseReading} the caller must stop reading the socket (policy {@code block}). */
  record Accepted(boolean pauseReading) implements SubmitResult {}

  /** The chunk is queued after evicting older ones: for the queue's own bound, and for the global budget. */
  record DroppedOldest(int forQueue, int forBudget) implements SubmitResult {}

  /** The chunk was not queued, for this reason. */
  record Rejected(DropReason reason) implements SubmitResult {}

  Accepted ACCEPTED = new Accepted(false);
  Accepted ACCEPTED_PAUSE = new Accepted(true);
  DroppedOldest DROPPED_ONE_OLDEST = new DroppedOldest(1, 0);
  Rejected QUEUE_FULL = new Rejected(DropReason.DROP_NEWEST);
  Rejected NO_BUDGET = new Rejected(DropReason.GLOBAL_BUDGET);
  Rejected SHED = new Rejected(DropReason.SOURCE_SHED);
  Rejected CLOSED = new Rejected(DropReason.SESSION_CLOSED);
}
