package dev.hark.asr.sphinx;

import dev.hark.asr.AsrEngine;
import dev.hark.asr.AsrEngineProvider;
import dev.hark.asr.AsrSettings;
import dev.hark.asr.DecoderPool;
import dev.hark.metrics.HarkMetrics;

/** Registers {@code sphinx4}: a {@link DecoderPool} of Sphinx4 recognizers, {@code --asr-workers} of them. */
public final class SphinxEngine implements AsrEngineProvider {
  @Override
  public String name() {
    return "sphinx4";
  }

  @Override
  public AsrEngine create(AsrSettings settings, HarkMetrics metrics) throws Exception {
    return new DecoderPool(name(), SphinxDecoder::load, settings.workers(), settings, metrics);
  }
}
