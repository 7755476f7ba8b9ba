package dev.hark.asr;

import dev.hark.metrics.HarkMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds engine providers by name. */
public final class AsrEngines {
  private AsrEngines() {}

  /** The names of every engine on the class path. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (AsrEngineProvider p : ServiceLoader.load(AsrEngineProvider.class)) {
      names.add(p.name());
    }
    return names;
  }

  /** Creates the engine called {@code name}; throws IllegalArgumentException naming the known ones if none is. */
  public static AsrEngine create(String name, AsrSettings settings, HarkMetrics metrics) throws Exception {
    for (AsrEngineProvider p : ServiceLoader.load(AsrEngineProvider.class)) {
      if (p.name().equals(name)) {
        return p.create(settings, metrics);
      }
    }
    throw new IllegalArgumentException("no recognizer called \"" + name + "\"; known: " + String.join(", ", names()));
  }
}
