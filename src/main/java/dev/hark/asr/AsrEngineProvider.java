package dev.hark.asr;

import dev.hark.metrics.HarkMetrics;

/**
 * Creates one kind of engine; providers are found with {@link java.util.ServiceLoader}, so a new engine needs no change
 * elsewhere.
 */
public interface AsrEngineProvider {
  /** The name {@code --asr} selects this engine by. */
  String name();

  /** Creates the engine, loading whatever models it needs; may take seconds. */
  AsrEngine create(AsrSettings settings, HarkMetrics metrics) throws Exception;
}
