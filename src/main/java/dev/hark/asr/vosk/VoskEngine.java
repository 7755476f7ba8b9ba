package dev.hark.asr.vosk;

import dev.hark.asr.AsrEngine;
import dev.hark.asr.AsrEngineProvider;
import dev.hark.asr.AsrSettings;
import dev.hark.asr.StreamRecognizer;
import dev.hark.metrics.HarkMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vosk.LibVosk;
import org.vosk.LogLevel;
import org.vosk.Model;
import org.vosk.Recognizer;

/**
 * Vosk (Kaldi) speech recognition: one model, loaded once and shared, and a recognizer per stream, opened in
 * milliseconds and closed (its native memory freed) when the stream ends. The model built in is Vosk's small US
 * English one, unpacked at build time next to the jar; {@code --asr-model DIR} loads any other. Audio at a rate
 * the model's features do not take (below 16 kHz for the built-in one) is resampled to the model's rate.
 */
public final class VoskEngine implements AsrEngine {
  /** Where the build unpacks the built-in model, beside the jar (or beside target/classes). */
  static final String BUILT_IN_MODEL = "vosk-model-en-us";

  private final Model model;
  private final ModelRate modelRate;

  public VoskEngine(Path modelDir) throws IOException {
    this(modelDir, null);
  }

  /** With {@code rate} null, the rate the model's own configuration gives (a test may say otherwise). */
  VoskEngine(Path modelDir, ModelRate rate) throws IOException {
    if (!Files.isDirectory(modelDir.resolve("am")) && !Files.isRegularFile(modelDir.resolve("conf/model.conf"))) {
      throw new IOException("no Vosk model in " + modelDir + " (expected its am/ and conf/ folders)");
    }
    LibVosk.setLogLevel(LogLevel.WARNINGS);
    model = new Model(modelDir.toString());
    modelRate = rate != null ? rate : ModelRate.of(modelDir);
  }

  /** The model the build unpacked, beside the jar or the classes directory. */
  public static Path builtInModel() {
    try {
      Path code = Path.of(VoskEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return code.getParent().resolve(BUILT_IN_MODEL);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot tell where Hark's jar is", e);
    }
  }

  @Override
  public String name() {
    return "vosk";
  }

  /**
   * A stream of read speech on a warmed recognizer, in its first seconds, with as many others as two cores carry:
   * measured 0.11 of a core alone and about 0.15 among a burst of others (docs/benchmarks.md); later, 0.05-0.08.
   * The prior learns the rest from the streams it measures.
   */
  @Override
  public double expectedRtf() {
    return 0.15;
  }

  /** On a recognizer new to speech: 0.21 of a core over its first five seconds alone, about 0.3 among others. */
  @Override
  public double expectedColdRtf() {
    return 0.30;
  }

  /** Spoken English of everyday words, bundled with the engine (made with espeak-ng; see warm-up.txt beside it). */
  @Override
  public byte[] warmUpSpeech() {
    try (InputStream in = VoskEngine.class.getResourceAsStream("warm-up.pcm")) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      return null; // the recognizers then warm up on the first streams instead
    }
  }

  @Override
  public StreamRecognizer open(int sampleRate) throws IOException {
    boolean takes = modelRate.takes(sampleRate);
    Recognizer r = new Recognizer(model, takes ? sampleRate : modelRate.hz());
    r.setWords(true);
    return new VoskStream(r, sampleRate, takes ? null : new Resampler(sampleRate, modelRate.hz()));
  }

  @Override
  public void close() {
    model.close();
  }

  /** Registers {@code vosk} with {@link dev.hark.asr.AsrEngines}. */
  public static final class Provider implements AsrEngineProvider {
    @Override
    public String name() {
      return "vosk";
    }

    @Override
    public AsrEngine create(AsrSettings settings, HarkMetrics metrics) throws IOException {
      Path dir = settings.model() != null ? settings.model() : builtInModel();
      if (settings.model() == null && !Files.isDirectory(dir)) {
        throw new IOException("the built-in Vosk model is missing at " + dir
            + ": build with ./mvnw package (./hark does), or give --asr-model DIR");
      }
      return new VoskEngine(dir);
    }
  }
}
