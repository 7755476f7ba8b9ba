package dev.hark.asr;

/**
 * A speech recognizer. One engine is created per server (loading a model is expensive); it opens a cheap
 * {@link StreamRecognizer} for each source stream, which the {@link DecodeScheduler} feeds in turns.
 */
public interface AsrEngine extends AutoCloseable {
  /** The name {@code --asr} selects it by. */
  String name();

  /**
   * Starts recognizing one stream of 16-bit little-endian mono PCM at {@code sampleRate}: milliseconds at most,
   * never a model load. Called on a decoding thread.
   */
  StreamRecognizer open(int sampleRate) throws Exception;

  /**
   * The decoding time a stream is expected to take per second of its audio on a reused (warm) recognizer: the
   * prior cost a new stream reserves until its own is measured. 0 (the default) for an engine that does not know:
   * its streams are admitted on their measured costs alone.
   */
  default double expectedRtf() {
    return 0;
  }

  /** The same on a recognizer opened new, for engines whose recognizers warm up as they decode. */
  default double expectedColdRtf() {
    return expectedRtf();
  }

  /**
   * Whether a stream's cost is measured as the CPU time its turns take on the decoding thread (true: a real
   * recognizer, whose work is CPU; other load on the machine does not inflate it), or as their wall time (false: a
   * stand-in whose work is a wait, such as {@code none}).
   */
  default boolean costIsCpu() {
    return true;
  }

  /**
   * A few seconds of speech (16-bit mono PCM at {@link #WARM_UP_RATE}) that warms a new recognizer to what a reused
   * one costs, decoded on spares before the server says it is ready; null (the default) if this engine's
   * recognizers do not warm up.
   */
  default byte[] warmUpSpeech() {
    return null;
  }

  /** The sample rate of {@link #warmUpSpeech()}. */
  int WARM_UP_RATE = 16000;

  /** Frees the engine's models; every stream recognizer is closed before. */
  @Override
  default void close() {}
}
