package dev.hark.server;

import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.Decoded;
import dev.hark.protocol.MessageDecoder;
import dev.hark.protocol.ProtocolError;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/** Decodes a WebSocket frame's bytes into a message without copying more than it must. Event loop threads only. */
final class FrameDecoder {
  /** One copy buffer per event loop thread: frames are decoded one at a time there, and sessions stay small. */
  private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[8192];
    }
  };

  private FrameDecoder() {}

  /** A text frame: copied into this thread's scratch buffer (no allocation once it is large enough), then parsed. */
  static Decoded text(ByteBuf content, int maxMessageBytes) {
    int n = content.readableBytes();
    byte[] buf = SCRATCH.get();
    if (buf.length < n) {
      buf = new byte[Math.min(Math.max(n, buf.length * 2), maxMessageBytes)];
      SCRATCH.set(buf);
    }
    content.getBytes(content.readerIndex(), buf, 0, n);
    return MessageDecoder.decodeText(buf, n);
  }

  /** A binary frame: the PCM is copied once, straight from the frame into the chunk's array. */
  static Decoded binary(ByteBuf content) {
    int n = content.readableBytes();
    ProtocolError e = MessageDecoder.binaryFrameError(n);
    if (e != null) {
      return e;
    }
    byte[] pcm = new byte[n - 1];
    content.getBytes(content.readerIndex() + 1, pcm);
    return new ClientMessage.BinaryAudio(content.getUnsignedByte(content.readerIndex()), pcm);
  }
}
