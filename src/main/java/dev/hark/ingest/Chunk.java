package dev.hark.ingest;

/**
 * One decoded piece of PCM16 audio on its way to the recognizer. {@code startSample} places it on the source's
 * timeline, which counts every chunk received, dropped ones included, so results keep the client's clock.
 */
public record Chunk(byte[] pcm, long startSample, long enqueuedNanos) {
  public int size() {
    return pcm.length;
  }

  public int samples() {
    return pcm.length / 2;
  }
}
