package dev.hark.asr.vosk;

import java.util.Arrays;

/**
 * Changes the sample rate of a stream of PCM16 mono, chunk by chunk, for a model that takes one rate only (Kaldi
 * will downsample but not upsample, so 8 kHz telephony would otherwise reach a 16 kHz model as nothing).
 * Band-limited interpolation (J. O. Smith's): each output sample is the input weighted by a Kaiser-windowed sinc
 * centred on the output's exact position, the sinc read from one table shared by every stream; its cutoff is just
 * below the lower rate's Nyquist frequency, so upsampling adds no images and downsampling no aliases. The input's
 * last samples are kept between chunks, so chunk boundaries leave no seam; an output sample waits for the
 * {@value #ZEROS} input samples after it ({@link #drain} gives the last ones at the stream's end). About 2 x
 * {@value #ZEROS} multiply-adds per output sample: about a million per second of 16 kHz output. One stream's, on one
 * thread at a time.
 */
final class Resampler {
  /** Zero crossings of the sinc on each side: the filter's half width, in samples of the lower rate. */
  static final int ZEROS = 32;
  /** Table entries per zero crossing; the sinc between them is interpolated linearly. */
  private static final int STEPS = 256;
  /** The passband's edge as a share of the lower rate's Nyquist frequency: room for the window's transition. */
  private static final double CUTOFF = 0.95;
  /** The Kaiser window's shape: about 80 dB of stopband attenuation. */
  private static final double BETA = 8.0;
  private static final float[] SINC = sincTable();

  /** Output sample n sits at input position n * step / phases (the rates' ratio, reduced). */
  private final int step;
  private final int phases;
  /** Below 1 when downsampling: the sinc is stretched by 1 / scale to cut at the output's Nyquist frequency. */
  private final double scale;
  /** Input samples weighed on each side of an output's position. */
  private final int half;
  /** Input samples from absolute index {@code base} on: what outputs still to come may weigh. */
  private float[] history;
  private int kept;
  private long base;
  /** Input samples received in all: outputs stop at this position when the stream is drained. */
  private long received;
  /** The next output's position in the input: {@code at + frac / phases}. */
  private long at;
  private int frac;
  private byte[] out = new byte[0];

  Resampler(int inRate, int outRate) {
    int g = gcd(inRate, outRate);
    this.step = inRate / g;
    this.phases = outRate / g;
    this.scale = Math.min(1.0, outRate / (double) inRate);
    this.half = (int) Math.ceil(ZEROS / scale);
    this.history = new float[4 * half];
    reset();
  }

  /** Resamples {@code pcm[0, length)} (PCM16 LE); the output is {@link #output()}{@code [0, returned)}. */
  int accept(byte[] pcm, int length) {
    int n = length / 2;
    ensureHistory(n);
    for (int i = 0; i < n; i++) {
      history[kept + i] = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
    }
    kept += n;
    received += n;
    return produce(Long.MAX_VALUE);
  }

  /** The stream has ended: the outputs still waiting for input after them, as if silence followed. */
  int drain() {
    long end = received;
    ensureHistory(half);
    Arrays.fill(history, kept, kept + half, 0f);
    kept += half;
    int n = produce(end);
    reset();
    return n;
  }

  /** The resampled audio of the last call, PCM16 LE. */
  byte[] output() {
    return out;
  }

  /** Forgets the stream: the next sample is a new stream's first. */
  void reset() {
    Arrays.fill(history, 0f);
    kept = half; // silence before the first sample
    base = -half;
    received = 0;
    at = 0;
    frac = 0;
  }

  /** Writes every output whose input is all here (and whose position is before {@code end}); returns its bytes. */
  private int produce(long end) {
    long span = Math.max(0, (base + kept - half) - at); // outputs before this position have their whole window
    int max = (int) (span * phases / step) + 2;
    if (out.length < 2 * max) {
      out = new byte[2 * max];
    }
    int written = 0;
    while (at + half < base + kept && at < end) {
      double t = frac / (double) phases;
      int from = (int) (at - half + 1 - base);
      double sum = 0;
      for (int j = 0; j < 2 * half; j++) {
        sum += history[from + j] * weight((half - 1 - j + t) * scale); // distance from input sample to output
      }
      int s = (int) Math.round(sum * scale);
      s = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, s));
      out[written++] = (byte) s;
      out[written++] = (byte) (s >> 8);
      frac += step;
      at += frac / phases;
      frac %= phases;
    }
    discardBefore(at - half + 1);
    return written;
  }

  private static double weight(double distance) {
    double u = Math.abs(distance) * STEPS;
    int i = (int) u;
    if (i >= ZEROS * STEPS) {
      return 0;
    }
    return SINC[i] + (u - i) * (SINC[i + 1] - SINC[i]);
  }

  private void discardBefore(long first) {
    int drop = (int) Math.min(kept, Math.max(0, first - base));
    if (drop > 0) {
      System.arraycopy(history, drop, history, 0, kept - drop);
      kept -= drop;
      base += drop;
    }
  }

  private void ensureHistory(int more) {
    if (kept + more > history.length) {
      history = Arrays.copyOf(history, Math.max(2 * history.length, kept + more));
    }
  }

  /** The windowed sinc from 0 to {@value #ZEROS} zero crossings, {@value #STEPS} entries each, and one past. */
  private static float[] sincTable() {
    float[] t = new float[ZEROS * STEPS + 1];
    double i0Beta = besselI0(BETA);
    for (int i = 0; i < t.length; i++) {
      double x = i / (double) STEPS;
      double sinc = i == 0 ? 1 : Math.sin(Math.PI * CUTOFF * x) / (Math.PI * CUTOFF * x);
      double r = x / ZEROS;
      double window = besselI0(BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
      t[i] = (float) (CUTOFF * sinc * window);
    }
    return t;
  }

  /** The modified Bessel function of the first kind, order 0, by its series. */
  private static double besselI0(double x) {
    double sum = 1;
    double term = 1;
    for (int k = 1; k < 50; k++) {
      term *= (x / (2 * k)) * (x / (2 * k));
      sum += term;
    }
    return sum;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
