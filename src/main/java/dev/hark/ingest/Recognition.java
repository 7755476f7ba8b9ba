package dev.hark.ingest;

/**
 * What recognizes a source: handed the source's {@link PcmStream} when the source opens, it reads the stream in
 * turns on threads of its own, sends results through {@code replies}, and calls {@link PcmStream#end()} when the
 * stream is finished. Must return at once: it runs on the session's event loop.
 */
@FunctionalInterface
public interface Recognition {
  void start(PcmStream audio, SessionChannel replies);
}
