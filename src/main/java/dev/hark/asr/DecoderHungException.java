package dev.hark.asr;

/** A recognizer that did not return from a turn within the stall timeout: its stream fails, its thread is replaced. */
final class DecoderHungException extends Exception {
  private static final long serialVersionUID = 1L;

  DecoderHungException(String message) {
    super(message);
  }
}
