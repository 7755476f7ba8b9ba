package dev.hark.asr;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What engines and the decode scheduler are configured with.
 *
 * @param workers decoding threads: how many streams are decoded at once (default: the number of cores)
 * @param noneRtf seconds the {@code none} engine spends per second of audio
 * @param stallTimeout how long one turn of decoding may take before its thread is written off as hung
 * @param model the Vosk model directory, or null for the one built in
 * @param turnMs the most audio one decoding turn takes before the stream goes to the back of the line
 */
public record AsrSettings(int workers, double noneRtf, Duration stallTimeout, Path model, int turnMs) {
  /** The default turn: short enough that every stream gets partial results as it goes. */
  public static final int TURN_MS = 200;

  public static AsrSettings defaults() {
    return new AsrSettings(Runtime.getRuntime().availableProcessors(), 0, Duration.ofSeconds(10), null, TURN_MS);
  }

  public AsrSettings withWorkers(int n) {
    return new AsrSettings(n, noneRtf, stallTimeout, model, turnMs);
  }

  public AsrSettings withStallTimeout(Duration d) {
    return new AsrSettings(workers, noneRtf, d, model, turnMs);
  }

  public AsrSettings withTurnMs(int ms) {
    return new AsrSettings(workers, noneRtf, stallTimeout, model, ms);
  }
}
