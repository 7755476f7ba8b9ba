package dev.hark.asr;

/** Where an engine reports on one stream: results with their span on the source's timeline, in milliseconds. */
public interface TranscriptListener {
  void onResult(String text, boolean isFinal, long startMs, long endMs);

  /** The stream waits for a free decoder ({@code true}), or has just been given one ({@code false}). */
  default void waitingForDecoder(boolean waiting) {}
}
