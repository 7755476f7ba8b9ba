package dev.hark.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.List;

/**
 * Netty's WebSocket protocol handler, except that pings go on to {@link SessionHandler} instead of being answered
 * here: Netty would write a pong for every ping, past the message rate and past the bound on what a client leaves
 * unread. Close frames go on too ({@code handleCloseFrames(false)}), so {@link ClientClose} checks their codes.
 */
final class PingForwardingProtocolHandler extends WebSocketServerProtocolHandler {
  PingForwardingProtocolHandler(WebSocketServerProtocolConfig config) {
    super(config);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) throws Exception {
    if (frame instanceof PingWebSocketFrame) {
      out.add(frame.retain());
      return;
    }
    super.decode(ctx, frame, out);
  }
}
