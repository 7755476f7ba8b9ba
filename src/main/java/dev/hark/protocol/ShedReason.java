package dev.hark.protocol;

/** Why a whole source was shed: the {@code reason} of a {@code source_dropped} status. */
public enum ShedReason {
  /** The server-wide buffer budget (--max-buffered-mb) was spent. */
  BUFFER_BUDGET("buffer_budget"),
  /** The decoding threads were saturated and decode lag passed --asr-shed-lag-ms. */
  ASR_CAPACITY("asr_capacity");

  private final String wire;

  ShedReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
