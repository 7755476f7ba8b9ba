package dev.hark.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Audio as Hark takes it: PCM16 little-endian mono at one sample rate. Reads WAV files (PCM16, any channel count,
 * downmixed) and raw PCM16 mono files; refuses anything else with a message that says what to do.
 */
public record PcmAudio(int sampleRate, byte[] pcm) {
  public long durationMs() {
    return pcm.length * 1000L / 2 / sampleRate;
  }

  /** A 440 Hz tone of {@code bytes} of PCM16 at {@code rate}: audio for load runs that need no speech. */
  static byte[] tone(int rate, int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes / 2; i++) {
      int v = (int) (8000 * Math.sin(2 * Math.PI * 440 * i / rate));
      b[2 * i] = (byte) v;
      b[2 * i + 1] = (byte) (v >> 8);
    }
    return b;
  }

  /** These recordings one after another, each followed by {@code pauseMs} of silence; all at one sample rate. */
  public static PcmAudio concat(List<PcmAudio> parts, int pauseMs) throws BadAudioException {
    int rate = parts.getFirst().sampleRate();
    int pause = rate * pauseMs / 1000 * 2;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (PcmAudio part : parts) {
      if (part.sampleRate() != rate) {
        throw new BadAudioException("all files must have one sample rate: " + rate + " Hz and " + part.sampleRate()
            + " Hz given");
      }
      out.writeBytes(part.pcm());
      out.writeBytes(new byte[pause]);
    }
    return new PcmAudio(rate, out.toByteArray());
  }

  /** Reads {@code file}: WAV by its RIFF header, otherwise raw PCM16 mono at {@code rawRate}. */
  public static PcmAudio read(Path file, int rawRate) throws BadAudioException {
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new BadAudioException(file + ": cannot read: " + e.getMessage());
    }
    if (b.length >= 12 && new String(b, 0, 4, StandardCharsets.US_ASCII).equals("RIFF")) {
      return wav(file, b);
    }
    if (b.length % 2 != 0) {
      throw new BadAudioException(file + ": not a WAV file, and an odd byte count cannot be raw PCM16");
    }
    return new PcmAudio(rawRate, b);
  }

  private static PcmAudio wav(Path file, byte[] b) throws BadAudioException {
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    if (!new String(b, 8, 4, StandardCharsets.US_ASCII).equals("WAVE")) {
      throw new BadAudioException(file + ": a RIFF file but not WAVE");
    }
    int pos = 12;
    int format = -1;
    int channels = 0;
    int rate = 0;
    int bits = 0;
    while (pos + 8 <= b.length) {
      String id = new String(b, pos, 4, StandardCharsets.US_ASCII);
      int size = buf.getInt(pos + 4);
      int body = pos + 8;
      if (size < 0 || body + (long) size > b.length) {
        size = b.length - body;
      }
      if (id.equals("fmt ") && size >= 16) {
        format = buf.getShort(body) & 0xffff;
        channels = buf.getShort(body + 2) & 0xffff;
        rate = buf.getInt(body + 4);
        bits = buf.getShort(body + 14) & 0xffff;
        if (format == 0xFFFE && size >= 26) {
          format = buf.getShort(body + 24) & 0xffff;  // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
        }
      } else if (id.equals("data")) {
        if (format != 1 || bits != 16) {
          throw new BadAudioException(file + ": only 16-bit PCM WAV is streamed (this is "
              + (format == 1 ? bits + "-bit PCM" : "format " + format) + "); convert it: sox IN -b 16 -e "
                  + "signed-integer OUT.wav");
        }
        if (channels < 1) {
          throw new BadAudioException(file + ": WAV header gives no channels");
        }
        return new PcmAudio(rate, downmix(b, body, size - size % (2 * channels), channels));
      }
      pos = body + size + (size & 1);
    }
    throw new BadAudioException(file + ": WAV file without a data chunk");
  }

  private static byte[] downmix(byte[] b, int from, int length, int channels) {
    if (channels == 1) {
      return Arrays.copyOfRange(b, from, from + length);
    }
    int frames = length / (2 * channels);
    byte[] out = new byte[frames * 2];
    for (int f = 0; f < frames; f++) {
      int sum = 0;
      for (int c = 0; c < channels; c++) {
        int at = from + (f * channels + c) * 2;
        sum += (short) ((b[at] & 0xff) | (b[at + 1] << 8));
      }
      int v = sum / channels;
      out[2 * f] = (byte) v;
      out[2 * f + 1] = (byte) (v >> 8);
    }
    return out;
  }

  /** A file that cannot be streamed; the message says why, in one line. */
  public static final class BadAudioException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadAudioException(String message) {
      super(message);
    }
  }
}
