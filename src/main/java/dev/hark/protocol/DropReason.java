package dev.hark.protocol;

/** Why a chunk was dropped; {@link #wire()} is its name in metrics ({@code reason}) and in {@code stopped} stats. */
public enum DropReason {
  /** Evicted from a full queue to make room for a newer chunk ({@code drop_oldest}). */
  DROP_OLDEST("drop_oldest"),
  /** Refused because the queue was full ({@code drop_newest}). */
  DROP_NEWEST("drop_newest"),
  /** Refused or evicted because the server-wide buffer budget was spent. */
  GLOBAL_BUDGET("global_budget"),
  /** Dropped because the whole source was shed (queued chunks at the moment of shedding, and every chunk after). */
  SOURCE_SHED("source_shed"),
  /** Still queued when the connection closed without {@code stop}. */
  SESSION_CLOSED("session_closed"),
  /** Discarded because the source's recognizer failed. */
  ASR_FAILED("asr_failed"),
  /** Never re-sent after a resume: the client's {@code seq} skipped past what the server expected. */
  DISCONNECTED("disconnected"),
  /** Re-sent after a resume although the server had it already (its {@code seq} is below the next expected). */
  DUPLICATE("duplicate");

  private final String wire;

  DropReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
