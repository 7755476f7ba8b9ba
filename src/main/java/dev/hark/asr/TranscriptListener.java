package dev.hark.asr;

import dev.hark.protocol.Word;
import java.util.List;

/** Where a recognizer reports on one stream: results with their span in milliseconds. */
@FunctionalInterface
public interface TranscriptListener {
  /** A result; {@code words} (with their times and confidence) only for a final one, else empty. */
  void onResult(String text, boolean isFinal, long startMs, long endMs, List<Word> words);

  /** A flush the client asked for is done: every final result for the audio before it has been reported. */
  default void flushed() {
  }
}
