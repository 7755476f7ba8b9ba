package dev.hark.asr.sphinx;

import java.io.IOException;
import java.io.InputStream;

/**
 * Converts a PCM16 LE mono stream to 16 kHz, the rate of Sphinx4's English model, by linear interpolation after a
 * moving-average low-pass when downsampling. Good enough for a recognizer; not for listening.
 */
final class Resampler extends InputStream {
  static final int TARGET = 16000;

  private final InputStream in;
  private final double step;
  private final int window;
  private final double[] history;
  private final byte[] pair = new byte[2];
  private int historyAt;
  private double historySum;
  private double pos;
  private long index = -1;
  private double before;
  private double after;
  private int pendingByte = -1;

  Resampler(InputStream in, int fromRate) {
    this.in = in;
    this.step = fromRate / (double) TARGET;
    this.window = Math.max(1, (int) Math.round(step));
    this.history = new double[window];
  }

  /** {@code in} unchanged at 16 kHz, else a resampling view. */
  static InputStream to16k(InputStream in, int rate) {
    return rate == TARGET ? in : new Resampler(in, rate);
  }

  /** Moves one input sample on: {@code before} and {@code after} are the filtered samples at index-1 and index. */
  private boolean advance() throws IOException {
    if (in.readNBytes(pair, 0, 2) < 2) {
      return false;
    }
    double sample = (short) ((pair[0] & 0xff) | (pair[1] << 8));
    historySum += sample - history[historyAt];
    history[historyAt] = sample;
    historyAt = (historyAt + 1) % window;
    before = after;
    after = historySum / window;
    index++;
    return true;
  }

  @Override
  public int read() throws IOException {
    if (pendingByte >= 0) {
      int b = pendingByte;
      pendingByte = -1;
      return b;
    }
    long base = (long) Math.floor(pos);
    while (index < base + 1) {
      if (!advance()) {
        return -1;
      }
    }
    double v = before + (after - before) * (pos - base);
    pos += step;
    int s = (int) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
    pendingByte = (s >> 8) & 0xff;
    return s & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = 0;
    while (n < len) {
      int v = read();
      if (v < 0) {
        return n == 0 ? -1 : n;
      }
      b[off + n++] = (byte) v;
    }
    return n;
  }
}
