package dev.hark.asr.vosk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The resampler on pure tones: a tone in the passband comes out at its frequency and amplitude, sample for sample,
 * with no image of upsampling; one above the output's Nyquist frequency (an alias when downsampling) comes out as
 * near silence; and chunk boundaries change nothing.
 */
class ResamplerTest {
  private static final double AMPLITUDE = 10_000;

  private static byte[] tone(int rate, double hz, double seconds) {
    int n = (int) (rate * seconds);
    byte[] pcm = new byte[2 * n];
    for (int i = 0; i < n; i++) {
      int s = (int) Math.round(AMPLITUDE * Math.sin(2 * Math.PI * hz * i / rate));
      pcm[2 * i] = (byte) s;
      pcm[2 * i + 1] = (byte) (s >> 8);
    }
    return pcm;
  }

  private static short[] samples(byte[] pcm) {
    short[] s = new short[pcm.length / 2];
    for (int i = 0; i < s.length; i++) {
      s[i] = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
    }
    return s;
  }

  /** Resamples {@code pcm} fed in chunks of {@code chunkBytes}, then drains it. */
  private static byte[] resample(Resampler r, byte[] pcm, int chunkBytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < pcm.length; i += chunkBytes) {
      byte[] chunk = Arrays.copyOfRange(pcm, i, Math.min(pcm.length, i + chunkBytes));
      int n = r.accept(chunk, chunk.length);
      out.write(r.output(), 0, n);
    }
    int n = r.drain();
    out.write(r.output(), 0, n);
    return out.toByteArray();
  }

  /** The root mean square of the difference, away from the edges (where the tones begin and end abruptly). */
  private static double rmsError(short[] got, short[] want) {
    double sum = 0;
    int from = want.length / 10;
    int to = want.length - want.length / 10;
    for (int i = from; i < to; i++) {
      double d = got[i] - want[i];
      sum += d * d;
    }
    return Math.sqrt(sum / (to - from));
  }

  private static double rms(short[] s) {
    return rmsError(s, new short[s.length]);
  }

  @ParameterizedTest
  @CsvSource({"8000,16000,1000", "8000,16000,3300", "11025,16000,440", "12000,16000,2500", "22050,16000,3000",
    "48000,16000,5000", "44100,16000,1000"})
  void aToneInThePassbandKeepsItsFrequencyAndAmplitude(int in, int out, double hz) {
    byte[] got = resample(new Resampler(in, out), tone(in, hz, 1), 2 * 137);
    short[] want = samples(tone(out, hz, 1));
    assertThat(got.length / 2).isEqualTo(want.length);
    // Within 1% of the tone's amplitude, sample for sample: the same frequency, phase and level, and no image of
    // upsampling (at in - hz, which would differ from the tone by as much as itself).
    assertThat(rmsError(samples(got), want)).isLessThan(AMPLITUDE / 100);
  }

  @ParameterizedTest
  @CsvSource({"48000,16000,10000", "44100,16000,12000", "22050,16000,9000"})
  void aToneAboveTheOutputsNyquistFrequencyDoesNotAlias(int in, int out, double hz) {
    short[] got = samples(resample(new Resampler(in, out), tone(in, hz, 1), 640));
    assertThat(rms(got)).as("-60 dB or less").isLessThan(AMPLITUDE / 1000);
  }

  @ParameterizedTest
  @CsvSource({"8000,16000", "11025,16000", "48000,16000"})
  void chunkBoundariesChangeNothing(int in, int out) {
    byte[] pcm = tone(in, 700, 0.5);
    byte[] whole = resample(new Resampler(in, out), pcm, pcm.length);
    for (int chunk : new int[] {2, 6, 320, 642}) {
      assertThat(resample(new Resampler(in, out), pcm, chunk)).as("chunks of %d bytes", chunk).isEqualTo(whole);
    }
  }

  @ParameterizedTest
  @CsvSource({"8000,16000", "44100,16000"})
  void aResetStartsANewStream(int in, int out) {
    Resampler r = new Resampler(in, out);
    byte[] first = resample(r, tone(in, 300, 0.3), 640);
    resample(r, tone(in, 1900, 0.2), 500);
    r.reset();
    r.accept(tone(in, 1200, 0.1), 2 * (in / 10));
    r.reset();
    assertThat(resample(r, tone(in, 300, 0.3), 640)).isEqualTo(first);
  }
}
