package dev.hark.asr.sphinx;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The search settings Hark gives Sphinx4, tuned so one stream decodes faster than real time on these 2-core
 * machines (docs/benchmarks.md has the measurements). Sphinx4 reads its global properties from Java system
 * properties when a recognizer's configuration is created (setting them on a live configuration re-initializes
 * its components and breaks the front end), so they are set there, each only if the user has not set it (for
 * example {@code -DabsoluteBeamWidth=20000} in {@code HARK_JAVA_OPTS}).
 */
final class SphinxSearch {
  /** Sphinx4 global properties (its default.config.xml defaults in comments). */
  static final Map<String, String> GLOBAL = new LinkedHashMap<>();
  /** Component properties, as "component->property"; a system property of that name overrides these too. */
  static final Map<String, String> LOCAL = new LinkedHashMap<>();

  static {
    GLOBAL.put("absoluteBeamWidth", "3000");         // 20000
    GLOBAL.put("absoluteWordBeamWidth", "100");      // 200
    GLOBAL.put("phoneticBeam", "1e-10");             // 1e-12
    GLOBAL.put("logLevel", "SEVERE");                // INFO: a line per utterance, and warnings about the model's own dictionary
    LOCAL.put("acousticModelLoader->topGaussiansNum", "2");  // 4
    // Non-final results every half second of audio (50 frames of 10 ms) for partial transcripts.
    LOCAL.put("decoder->fireNonFinalResults", "true");
    LOCAL.put("decoder->featureBlockSize", "50");
  }

  private SphinxSearch() {}

  /** Puts the global settings in the system properties, leaving any the user set. */
  static synchronized void applyGlobals() {
    GLOBAL.forEach((k, v) -> {
      if (System.getProperty(k) == null) {
        System.setProperty(k, v);
      }
    });
  }
}
