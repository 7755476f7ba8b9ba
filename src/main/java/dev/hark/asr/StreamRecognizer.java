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

  /** Frees what the recognizer holds (native memory for Vosk); called exactly once, after a failure too. */
  @Override
  void close();
}
