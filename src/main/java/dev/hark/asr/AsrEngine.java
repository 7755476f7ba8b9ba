package dev.hark.asr;

import dev.hark.ingest.PcmStream;

/**
 * A speech recognizer. One engine is created per server (loading a model is expensive) and recognizes any
 * number of source streams, each on the source's own virtual thread.
 */
public interface AsrEngine extends AutoCloseable {
  /** The name {@code --asr} selects it by. */
  String name();

  /** Reads {@code audio} to its end, reporting results as they come; returns when the stream ends. */
  void recognize(PcmStream audio, TranscriptListener results) throws Exception;

  /** Frees the engine's models and threads. */
  @Override
  default void close() {}
}
