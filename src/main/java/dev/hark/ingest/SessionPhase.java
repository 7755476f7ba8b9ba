package dev.hark.ingest;

/** Where a session is in its life. It only moves forward, down this list (a lost connection jumps to the end). */
enum SessionPhase {
  /** Connected: neither {@code start} nor audio yet. */
  NEW,
  /** {@code start} received. */
  STARTED,
  /** Audio came without {@code start}: the defaults apply, and {@code start} is refused from now on. */
  STREAMING_WITHOUT_START,
  /** {@code stop} received, or the server is ending the session: queued audio drains, nothing new is taken. */
  STOPPING,
  /** {@code stopped} was sent; the connection is closing. */
  STOPPED,
  /** The connection is gone. */
  CLOSED;

  /** This phase or one after it. */
  boolean atLeast(SessionPhase p) {
    return compareTo(p) >= 0;
  }
}
