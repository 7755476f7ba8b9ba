package dev.hark.asr;

import dev.hark.ingest.PcmStream;

/** One loaded recognizer, decoding one stream at a time on a platform thread of a {@link DecoderPool}. */
public interface Decoder extends AutoCloseable {
  /** Reads {@code audio} to its end, reporting results; times are on the source's timeline. */
  void decode(PcmStream audio, TranscriptListener results) throws Exception;

  @Override
  default void close() {}

  /** Creates decoders; creation may take seconds and hundreds of MB. */
  @FunctionalInterface
  interface Factory {
    Decoder create() throws Exception;
  }
}
