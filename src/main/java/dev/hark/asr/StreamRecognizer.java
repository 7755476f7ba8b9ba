package dev.hark.asr;

/**
 * The recognition of one stream. Called by one decoding thread at a time, in turns of at most a few hundred
 * milliseconds of audio; times it reports are milliseconds into this stream's audio (the scheduler maps them onto
 * the source's timeline).
 */
public interface StreamRecognizer extends AutoCloseable {
  /** Decodes {@code pcm[0, length)} (whole samples) and reports what it now recognizes, partial or final. */
  void accept(byte[] pcm, int length, TranscriptListener results) throws Exception;

  /** The stream has ended: reports the final result of whatever is still pending. */
  void finish(TranscriptListener results) throws Exception;

  /**
   * The client asked for what is pending now: reports its final result, as {@link #finish} does, and goes on taking
   * audio afterwards, its times counting on.
   */
  default void flush(TranscriptListener results) throws Exception {
    finish(results);
  }

  /**
   * Makes this recognizer ready for another stream at the same sample rate, as if just opened, keeping what it has
   * built from the model (Vosk: the parts of its decoding graph it expanded, which makes a warm recognizer decode
   * 2-4 times cheaper than a new one). Returns false if it cannot; it is then closed.
   */
  default boolean reset() {
    return false;
  }

  /** Frees what the recognizer holds (native memory for Vosk); called exactly once, after a failure too. */
  @Override
  void close();
}
