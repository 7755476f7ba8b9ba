package dev.hark.protocol;

/** The {@code state} of a {@code status} message. */
public enum StatusState {
  /** The source's queue is dropping chunks (sent when drops start, then at most once a second while they go on). */
  BACKPRESSURE("backpressure"),
  /** A source's queue has fallen to its low watermark after backpressure or a pause. */
  OK("ok"),
  /** A {@code block} session's socket is no longer read until the queue has room (nothing is dropped). */
  PAUSED("paused"),
  /** The server shed this whole source to keep its global buffer budget; its chunks are dropped until restored. */
  SOURCE_DROPPED("source_dropped"),
  /** A shed source is taken in again. */
  SOURCE_RESTORED("source_restored");

  private final String wire;

  StatusState(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
