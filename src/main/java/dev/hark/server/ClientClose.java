package dev.hark.server;

import dev.hark.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The answer to a client's close frame (RFC 6455 sections 5.5.1 and 7.4): a code a client may send is echoed; an
 * empty body is answered with 1000; a one-byte body or a code no endpoint may put on the wire (below 1000, 1004-1006,
 * 1015-2999, 5000 and up) is a protocol error (1002); a reason that is not UTF-8 is 1007. The client's reason is
 * never echoed.
 */
final class ClientClose {
  private ClientClose() {}

  /** The close frame to send back for this body. */
  static CloseWebSocketFrame answer(ByteBuf body) {
    int n = body.readableBytes();
    if (n == 0) {
      return new CloseWebSocketFrame(CloseCode.NORMAL, "");
    }
    if (n == 1) {
      return new CloseWebSocketFrame(CloseCode.PROTOCOL_ERROR, "close frame with a one-byte body");
    }
    int code = body.getUnsignedShort(body.readerIndex());
    if (!clientMaySend(code)) {
      return new CloseWebSocketFrame(CloseCode.PROTOCOL_ERROR, "invalid close code");
    }
    if (!isUtf8(body.nioBuffer(body.readerIndex() + 2, n - 2))) {
      return new CloseWebSocketFrame(CloseCode.INVALID_PAYLOAD, "close reason is not UTF-8");
    }
    return new CloseWebSocketFrame(code, "");
  }

  /** Codes defined for use in a close frame: 1000-1003, 1007-1014 (1012-1014 registered since), 3000-4999. */
  static boolean clientMaySend(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }

  private static boolean isUtf8(ByteBuffer reason) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(reason);
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
