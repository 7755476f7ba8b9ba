package dev.hark.ingest;

/** What reads a source's {@link PcmStream}: a recognizer. Runs on its own virtual thread until the stream ends. */
@FunctionalInterface
public interface SourceConsumer {
  /** Reads {@code audio} to its end, sending any results through {@code replies}. */
  void consume(PcmStream audio, SessionChannel replies) throws Exception;
}
