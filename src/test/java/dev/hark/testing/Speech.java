package dev.hark.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The committed speech fixtures (src/test/resources/speech) and word error rate. */
public final class Speech {
  /** One recording: its id, PCM16 16 kHz mono samples (WAV header stripped) and reference words. */
  public record Clip(String id, byte[] pcm, String reference) {
    /** The WAV file in the source tree, for programs outside the test JVM. */
    public Path wav() {
      return Path.of("src/test/resources/speech", id + ".wav").toAbsolutePath();
    }

    public long durationMs() {
      return pcm.length / 32;
    }
  }

  private Speech() {}

  public static List<Clip> clips() {
    List<Clip> out = new ArrayList<>();
    for (String line : resource("transcripts.tsv").split("\n")) {
      String[] parts = line.split("\t");
      out.add(new Clip(parts[0], pcm(parts[0] + ".wav"), parts[1]));
    }
    return out;
  }

  static String resource(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }

  /** The PCM of a WAV file under {@code src/test/resources/speech} (a plain 44-byte header, as sox writes). */
  public static byte[] pcm(String wav) {
    byte[] b = bytes(wav);
    return Arrays.copyOfRange(b, 44, b.length);
  }

  private static byte[] bytes(String name) {
    try (InputStream in = Speech.class.getResourceAsStream("/speech/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture speech/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code pcm} as 20 ms Base64 audio messages, paced at {@code speed} times real time (0 = flat out). */
  public static void stream(WsClient c, String source, byte[] pcm, double speed) {
    stream(c, source, pcm, speed, 640);
  }

  /** Sends {@code pcm} in chunks of {@code chunk} bytes, each taken as 20 ms for the pacing. */
  public static void stream(WsClient c, String source, byte[] pcm, double speed, int chunk) {
    long t0 = System.nanoTime();
    for (int i = 0, n = 0; i < pcm.length; i += chunk, n++) {
      c.send(WsClient.audioJson(source, Arrays.copyOfRange(pcm, i, Math.min(pcm.length, i + chunk)), n));
      if (speed > 0) {
        long due = t0 + (long) ((n + 1) * 20_000_000L / speed);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          try {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        }
      }
    }
  }
}
