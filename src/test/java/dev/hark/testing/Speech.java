package dev.hark.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The committed speech fixtures (src/test/resources/speech) and word error rate. */
public final class Speech {
  /** One recording: its id, PCM16 16 kHz mono samples (WAV header stripped) and reference words. */
  public record Clip(String id, byte[] pcm, String reference) {
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

  static byte[] pcm(String wav) {
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

  static String[] words(String s) {
    String clean = s.toLowerCase().replaceAll("[^a-z' ]", " ").trim();
    return clean.isEmpty() ? new String[0] : clean.split("\\s+");
  }

  /** Word-level edit distance of {@code hypothesis} from {@code reference}, and the reference's word count. */
  public static int[] errors(String reference, String hypothesis) {
    String[] r = words(reference);
    String[] h = words(hypothesis);
    int[] d = new int[h.length + 1];
    for (int j = 0; j <= h.length; j++) {
      d[j] = j;
    }
    for (int i = 1; i <= r.length; i++) {
      int prev = d[0];
      d[0] = i;
      for (int j = 1; j <= h.length; j++) {
        int t = d[j];
        d[j] = Math.min(Math.min(d[j] + 1, d[j - 1] + 1), prev + (r[i - 1].equals(h[j - 1]) ? 0 : 1));
        prev = t;
      }
    }
    return new int[] {d[h.length], r.length};
  }

  /** Sends {@code pcm} as 20 ms Base64 audio messages, paced at {@code speed} times real time (0 = flat out). */
  public static void stream(WsClient c, String source, byte[] pcm, double speed) {
    long t0 = System.nanoTime();
    int chunk = 640;
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
