package dev.hark.testing;

/** Synthetic PCM16 chunks whose first two bytes carry a number, so a test can tell which chunks got through. */
public final class Pcm {
  private Pcm() {}

  /** A 20 ms chunk at 16 kHz (640 bytes) tagged with {@code n}. */
  public static byte[] chunk(int n) {
    return chunk(n, 640);
  }

  public static byte[] chunk(int n, int bytes) {
    byte[] b = new byte[bytes];
    b[0] = (byte) n;
    b[1] = (byte) (n >> 8);
    for (int i = 2; i < bytes; i++) {
      b[i] = (byte) (i * 31 + n);
    }
    return b;
  }

  public static int tag(byte[] pcm) {
    return (pcm[0] & 0xff) | (pcm[1] & 0xff) << 8;
  }
}
