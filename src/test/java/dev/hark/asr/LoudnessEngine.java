package dev.hark.asr;

import dev.hark.metrics.HarkMetrics;
import java.util.List;

/** The example engine of docs/architecture.md, kept here so the example compiles and is tested. */
public final class LoudnessEngine implements AsrEngine, AsrEngineProvider {
  public String name() { return "loudness"; }
  public AsrEngine create(AsrSettings settings, HarkMetrics metrics) { return this; }

  public StreamRecognizer open(int sampleRate) {
    return new StreamRecognizer() {
      long read, from;
      double sum;

      public void accept(byte[] pcm, int length, TranscriptListener results) {
        for (int i = 0; i + 1 < length; i += 2) {
          sum += Math.abs((short) ((pcm[i] & 0xff) | (pcm[i + 1] << 8)));
          if (++read - from == sampleRate) { // one result per second of audio, times in ms of this stream
            results.onResult("level " + Math.round(sum / sampleRate), true, from * 1000 / sampleRate,
                read * 1000 / sampleRate, List.of());
            from = read;
            sum = 0;
          }
        }
      }

      public void finish(TranscriptListener results) {}

      public void close() {}
    };
  }
}
