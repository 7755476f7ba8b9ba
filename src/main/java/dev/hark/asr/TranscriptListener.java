package dev.hark.asr;

/** Where an engine reports results: text with its span on the source's timeline, in milliseconds. */
@FunctionalInterface
public interface TranscriptListener {
  void onResult(String text, boolean isFinal, long startMs, long endMs);
}
