package dev.hark.protocol;

/** One recognized word of a final transcript: its span on the source's timeline and the recognizer's confidence. */
public record Word(String word, long startMs, long endMs, double confidence) {
  /** The same word moved onto another timeline. */
  public Word at(long start, long end) {
    return new Word(word, start, end, confidence);
  }
}
