package dev.hark.server;

import dev.hark.ingest.SessionState;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.CloseCode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a connection that sent nothing for {@code --idle-timeout-s} gets: it is closed (a session's with 1001), unless
 * the silence is the server's own doing.
 */
final class IdleConnections {
  private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

  private IdleConnections() {}

  /** The connection of {@code session} (null before the upgrade) has been idle for the timeout. */
  static void idle(ChannelHandlerContext ctx, SessionState session, HarkMetrics metrics) {
    if (!ctx.channel().config().isAutoRead() || (session != null && session.isEnding())) {
      return; // not reading (block policy) or waiting for results after stop: silence is the server's doing
    }
    metrics.idleClosed();
    if (session == null) {
      Connections.close(ctx); // an HTTP connection or an upgrade that never finished
      return;
    }
    log.info("session={} closed: idle", session.id());
    ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.GOING_AWAY, "idle: no audio or ping for "
        + ctx.pipeline().get(IdleStateHandler.class).getReaderIdleTimeInMillis() / 1000 + " s"))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
