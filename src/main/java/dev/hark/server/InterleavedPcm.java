package dev.hark.server;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Interleaved PCM16 of {@code channels} channels, as a Deepgram client sends it, turned into a chunk per channel
 * (split) or one mixed chunk (the channels averaged). A message may end mid-frame: the rest of the frame waits for
 * the next one. The connection's event loop's.
 */
final class InterleavedPcm {
  private final int channels;
  private final boolean split;
  private final byte[] carry;
  private int carried;

  InterleavedPcm(int channels, boolean split) {
    this.channels = channels;
    this.split = split;
    this.carry = new byte[2 * channels];
  }

  /**
   * The whole frames of {@code content} (after what was carried), as one chunk per channel when split, else one
   * mixed chunk at index 0; an entry is null when there is no whole frame yet.
   */
  byte[][] take(ByteBuf content) {
    int frame = carry.length;
    int total = carried + content.readableBytes();
    byte[] bytes = new byte[total];
    System.arraycopy(carry, 0, bytes, 0, carried);
    content.getBytes(content.readerIndex(), bytes, carried, content.readableBytes());
    int whole = total - total % frame;
    carried = total - whole;
    System.arraycopy(bytes, whole, carry, 0, carried);
    int samples = whole / frame;
    byte[][] out = new byte[split ? channels : 1][];
    if (samples == 0) {
      return out;
    }
    if (channels == 1) {
      out[0] = whole == total ? bytes : Arrays.copyOf(bytes, whole);
    } else if (split) {
      for (int c = 0; c < channels; c++) {
        out[c] = new byte[samples * 2];
        for (int i = 0; i < samples; i++) {
          out[c][2 * i] = bytes[i * frame + 2 * c];
          out[c][2 * i + 1] = bytes[i * frame + 2 * c + 1];
        }
      }
    } else {
      out[0] = new byte[samples * 2];
      for (int i = 0; i < samples; i++) {
        int sum = 0;
        for (int c = 0; c < channels; c++) {
          sum += (short) ((bytes[i * frame + 2 * c] & 0xff) | (bytes[i * frame + 2 * c + 1] << 8));
        }
        int mean = sum / channels;
        out[0][2 * i] = (byte) mean;
        out[0][2 * i + 1] = (byte) (mean >> 8);
      }
    }
    return out;
  }
}
