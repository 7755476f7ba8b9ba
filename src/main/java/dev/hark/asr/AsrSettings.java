package dev.hark.asr;

import java.time.Duration;

/**
 * What engines are configured with.
 *
 * @param workers decoders to keep loaded: how many sources are recognized at once
 * @param noneRtf seconds the {@code none} engine spends per second of audio
 * @param stallTimeout how long a decoder may leave queued audio unread before it is declared hung and replaced
 */
public record AsrSettings(int workers, double noneRtf, Duration stallTimeout) {
  public static AsrSettings defaults() {
    return new AsrSettings(Runtime.getRuntime().availableProcessors(), 0, Duration.ofSeconds(10));
  }
}
