package dev.hark.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A mono PCM16 WAV file written by appending: a placeholder header first, the sizes fixed when it is finished,
 * then fsync. Writes go through a 64 KiB buffer, so a 20 ms chunk costs a copy, not a system call.
 */
final class WavFile {
  private static final int HEADER = 44;
  private final FileChannel file;
  private final int sampleRate;
  private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
  private long dataBytes;

  WavFile(Path path, int sampleRate) throws IOException {
    this.sampleRate = sampleRate;
    this.file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      file.write(header(0));
    } catch (IOException e) {
      file.close();
      throw e;
    }
  }

  void append(byte[] pcm) throws IOException {
    if (pcm.length > buffer.remaining()) {
      flush();
    }
    if (pcm.length > buffer.capacity()) {
      writeFully(ByteBuffer.wrap(pcm));
    } else {
      buffer.put(pcm);
    }
    dataBytes += pcm.length;
  }

  /** Writes what is buffered, fixes the header's sizes, forces it all to disk and closes. */
  void finish() throws IOException {
    try (file) {
      flush();
      file.write(header(dataBytes), 0);
      file.force(true);
    }
  }

  /** Closes without the fix-up (after a write error); the header then says 0 bytes, the data is still there. */
  void abandon() {
    try {
      file.close();
    } catch (IOException e) {
      // Already failing; the caller has reported the first error.
    }
  }

  void flush() throws IOException {
    buffer.flip();
    writeFully(buffer);
    buffer.clear();
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      file.write(b);
    }
  }

  private ByteBuffer header(long data) {
    ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    h.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt((int) Math.min(0xFFFFFFFFL, 36 + data));
    h.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
    h.putShort((short) 1).putShort((short) 1).putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2)
        .putShort((short) 16);
    h.put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) Math.min(0xFFFFFFFFL, data));
    return h.flip();
  }
}
