package dev.hark.client;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/** Client messages as the clients here send them (the protocol's JSON, written by hand to stay allocation-light). */
public final class Messages {
  private Messages() {}

  public static String start(int sampleRate, List<String> sources, String overflow) {
    StringBuilder b = new StringBuilder("{\"type\":\"start\",\"sample_rate\":").append(sampleRate)
        .append(",\"sources\":[");
    for (int i = 0; i < sources.size(); i++) {
      b.append(i == 0 ? "" : ",").append('"').append(sources.get(i)).append('"');
    }
    b.append(']');
    if (overflow != null) {
      b.append(",\"overflow\":\"").append(overflow).append('"');
    }
    return b.append('}').toString();
  }

  public static String audio(String source, byte[] pcm, int from, int to, long seq) {
    byte[] chunk = from == 0 && to == pcm.length ? pcm : Arrays.copyOfRange(pcm, from, to);
    return "{\"type\":\"audio\",\"source\":\"" + source + "\",\"seq\":" + seq + ",\"data\":\""
        + Base64.getEncoder().encodeToString(chunk) + "\"}";
  }

  /** A binary audio frame: the source's index in start, then the PCM. */
  public static byte[] binary(int sourceIndex, byte[] pcm, int from, int to) {
    byte[] f = new byte[to - from + 1];
    f[0] = (byte) sourceIndex;
    System.arraycopy(pcm, from, f, 1, to - from);
    return f;
  }

  public static final String STOP = "{\"type\":\"stop\"}";
}
