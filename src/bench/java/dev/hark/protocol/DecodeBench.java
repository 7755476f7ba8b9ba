package dev.hark.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Message decode on the hot path: JSON + Base64 to PCM bytes (text frame), and a binary frame. 20 ms at 16 kHz. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DecodeBench {
  byte[] text;
  int textLength;
  byte[] binary;

  @Setup
  public void setUp() {
    byte[] pcm = new byte[640];
    for (int i = 0; i < pcm.length; i++) {
      pcm[i] = (byte) (i * 13);
    }
    byte[] json = ("{\"type\":\"audio\",\"source\":\"mic\",\"seq\":12345,\"data\":\""
        + Base64.getEncoder().encodeToString(pcm) + "\"}").getBytes(StandardCharsets.UTF_8);
    text = new byte[8192];
    System.arraycopy(json, 0, text, 0, json.length);
    textLength = json.length;
    binary = new byte[641];
    System.arraycopy(pcm, 0, binary, 1, 640);
  }

  @Benchmark
  public Decoded textFrame() {
    return MessageDecoder.decodeText(text, textLength);
  }

  @Benchmark
  public Decoded binaryFrame() {
    return MessageDecoder.decodeBinary(binary);
  }
}
