package dev.hark.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AttributeKey;

/**
 * The two Netty calls whose futures Hark leaves on purpose, in one place: closing a connection (its end is seen in
 * {@code channelInactive}, and a close cannot fail in a way anyone could act on) and writing a frame with the void
 * promise (a failed write reaches the pipeline's {@code exceptionCaught}, with no future allocated per message).
 */
final class Connections {
  private static final AttributeKey<Boolean> ENDS_SESSION = AttributeKey.valueOf("hark.endsSession");

  private Connections() {}

  /**
   * The server is closing this connection for what its client did (a flood, unread output, a broken frame): its
   * session ends with it rather than waiting for a resume.
   */
  static void endsItsSession(Channel ch) {
    ch.attr(ENDS_SESSION).set(Boolean.TRUE);
  }

  /** Whether this connection's session may wait for a resume once it is gone (it was lost, not thrown out). */
  static boolean mayLeaveSession(Channel ch) {
    return !Boolean.TRUE.equals(ch.attr(ENDS_SESSION).get());
  }

  @SuppressWarnings("FutureReturnValueIgnored") // see the class comment
  static void close(ChannelHandlerContext ctx) {
    ctx.close();
  }

  @SuppressWarnings("FutureReturnValueIgnored") // see the class comment
  static void writeAndFlush(Channel channel, WebSocketFrame frame) {
    channel.writeAndFlush(frame, channel.voidPromise());
  }
}
