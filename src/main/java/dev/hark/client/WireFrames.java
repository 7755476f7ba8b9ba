package dev.hark.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Client WebSocket frames encoded once, header and all, so the load generator writes the same bytes to every socket
 * without copying or masking them again. The masking key is zero: RFC 6455 makes the client mask, and a server must
 * accept any key; a zero key leaves the payload as it is, which is what lets one buffer serve every session.
 */
final class WireFrames {
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;

  private WireFrames() {}

  static ByteBuf text(String payload) {
    return frame(TEXT, payload.getBytes(StandardCharsets.UTF_8));
  }

  static ByteBuf binary(byte[] payload) {
    return frame(BINARY, payload);
  }

  /**
   * A final frame with a zero masking key, shared read-only: write {@code frame.duplicate()} each time, and when no
   * socket will write it again, release what it wraps ({@code frame.unwrap().release()}).
   */
  static ByteBuf frame(int opcode, byte[] payload) {
    int n = payload.length;
    ByteBuf b = Unpooled.directBuffer(n + 14);
    b.writeByte(0x80 | opcode);
    if (n < 126) {
      b.writeByte(0x80 | n);
    } else if (n < 65536) {
      b.writeByte(0x80 | 126).writeShort(n);
    } else {
      b.writeByte(0x80 | 127).writeLong(n);
    }
    b.writeInt(0);
    b.writeBytes(payload);
    // Unreleasable: duplicates written by many channels never free the shared bytes.
    return Unpooled.unreleasableBuffer(b);
  }
}
