package dev.hark.testing;

import dev.hark.asr.AsrEngine;
import dev.hark.asr.StreamRecognizer;
import dev.hark.asr.TranscriptListener;

/**
 * A test engine whose recognizer handles each 20 ms chunk (640 bytes at 16 kHz) of a turn in order, and says what
 * it likes at the end of the stream: the shape of every engine a test writes to rehearse a recognizer.
 */
public final class ChunkEngine implements AsrEngine {
  /** Handles chunk number {@code n}, which starts {@code startMs} into the stream, at {@code pcm[offset]}. */
  @FunctionalInterface
  public interface OnChunk {
    void chunk(byte[] pcm, int offset, int n, long startMs, TranscriptListener out) throws Exception;
  }

  /** At the stream's end, after {@code chunks} chunks. */
  @FunctionalInterface
  public interface OnFinish {
    void finish(int chunks, TranscriptListener out);
  }

  private final String name;
  private final OnChunk onChunk;
  private final OnFinish onFinish;

  public ChunkEngine(String name, OnChunk onChunk, OnFinish onFinish) {
    this.name = name;
    this.onChunk = onChunk;
    this.onFinish = onFinish;
  }

  public ChunkEngine(String name, OnChunk onChunk) {
    this(name, onChunk, (chunks, out) -> { });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public StreamRecognizer open(int sampleRate) {
    return new StreamRecognizer() {
      int n;

      @Override
      public void accept(byte[] pcm, int length, TranscriptListener out) throws Exception {
        for (int at = 0; at < length; at += 640, n++) {
          onChunk.chunk(pcm, at, n, n * 20L, out);
        }
      }

      @Override
      public void finish(TranscriptListener out) {
        onFinish.finish(n, out);
      }

      @Override
      public void close() {}
    };
  }
}
