package dev.hark.asr;

/**
 * What engines are configured with.
 *
 * @param workers decoders to keep loaded (engines that pool them)
 * @param noneRtf seconds the {@code none} engine spends per second of audio
 */
public record AsrSettings(int workers, double noneRtf) {
  public static AsrSettings defaults() {
    return new AsrSettings(Runtime.getRuntime().availableProcessors(), 0);
  }
}
