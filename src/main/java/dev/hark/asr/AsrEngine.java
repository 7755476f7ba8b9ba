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

  /** Frees the engine's models; every stream recognizer is closed before. */
  @Override
  default void close() {}
}
