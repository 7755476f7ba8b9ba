package dev.hark.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * The two Netty calls whose futures Hark leaves on purpose, in one place: closing a connection (its end is seen in
 * {@code channelInactive}, and a close cannot fail in a way anyone could act on) and writing a frame with the void
 * promise (a failed write reaches the pipeline's {@code exceptionCaught}, with no future allocated per message).
 */
final class Connections {
  private Connections() {}

  @SuppressWarnings("FutureReturnValueIgnored") // see the class comment
  static void close(ChannelHandlerContext ctx) {
    ctx.close();
  }

  @SuppressWarnings("FutureReturnValueIgnored") // see the class comment
  static void writeAndFlush(Channel channel, WebSocketFrame frame) {
    channel.writeAndFlush(frame, channel.voidPromise());
  }
}
