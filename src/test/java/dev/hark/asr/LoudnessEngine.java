package dev.hark.asr;

import dev.hark.ingest.Chunk;
import dev.hark.ingest.PcmStream;
import dev.hark.metrics.HarkMetrics;

/** The example engine of docs/architecture.md, kept here so the example compiles and is tested. */
public final class LoudnessEngine implements AsrEngine, AsrEngineProvider {
  public String name() { return "loudness"; }
  public AsrEngine create(AsrSettings settings, HarkMetrics metrics) { return this; }

  public void recognize(PcmStream audio, TranscriptListener results) {
    long read = 0, from = 0;
    double sum = 0;
    for (Chunk c = audio.nextChunk(); c != null; c = audio.nextChunk()) {
      for (int i = 0; i + 1 < c.size(); i += 2) {
        short s = (short) ((c.pcm()[i] & 0xff) | (c.pcm()[i + 1] << 8));
        sum += Math.abs(s);
      }
      read += c.samples();
      if (read - from >= audio.sampleRate()) {
        long startMs = audio.timelineMs(from * 1000 / audio.sampleRate());
        long endMs = audio.timelineMs(read * 1000 / audio.sampleRate());
        results.onResult("level " + Math.round(sum / (read - from)), true, startMs, endMs);
        from = read;
        sum = 0;
      }
    }
  }
}
