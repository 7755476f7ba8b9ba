package dev.hark.asr.vosk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sample rate a Vosk model's features are computed at ({@code --sample-frequency} in its {@code conf/mfcc.conf},
 * 16000 when it does not say) and which other rates Kaldi converts to it by itself: lower ones only with
 * {@code --allow-upsample=true}, higher ones only with {@code --allow-downsample=true}. Audio at a rate the model
 * does not take is resampled by Hark ({@link Resampler}); Kaldi would refuse it, and the stream would say nothing.
 *
 * @param hz the features' rate
 * @param upsamples whether Kaldi takes lower rates
 * @param downsamples whether Kaldi takes higher rates
 */
record ModelRate(int hz, boolean upsamples, boolean downsamples) {
  static final int DEFAULT_HZ = 16000;

  /** Reads {@code modelDir/conf/mfcc.conf}; a model without one is taken at Kaldi's defaults. */
  static ModelRate of(Path modelDir) throws IOException {
    Path conf = modelDir.resolve("conf/mfcc.conf");
    int hz = DEFAULT_HZ;
    boolean up = false;
    boolean down = false;
    if (Files.isRegularFile(conf)) {
      for (String line : Files.readAllLines(conf)) {
        String option = line.strip();
        if (option.startsWith("--sample-frequency=")) {
          hz = (int) Math.round(Double.parseDouble(option.substring(option.indexOf('=') + 1)));
        } else if (option.startsWith("--allow-upsample=")) {
          up = option.endsWith("=true");
        } else if (option.startsWith("--allow-downsample=")) {
          down = option.endsWith("=true");
        }
      }
    }
    return new ModelRate(hz, up, down);
  }

  /** Whether Kaldi takes audio at {@code rate} as it is. */
  boolean takes(int rate) {
    return rate == hz || (rate < hz ? upsamples : downsamples);
  }
}
