package dev.hark.server;

import dev.hark.metrics.HarkMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;

/**
 * The bound on what one connection may leave unsent: every byte the server writes passes here (session messages,
 * WebSocket pongs and close frames, plain HTTP answers), so a client that does not read cannot make the server buffer
 * without end. A write that would take the connection past {@link #MAX_UNREAD_BYTES} is refused and the connection
 * closed, counted once as {@code connections_closed_total{reason="unread"}}. Sits at the socket end of the pipeline,
 * where messages are already bytes; runs on the connection's event loop.
 */
final class UnreadOutputLimit extends ChannelOutboundHandlerAdapter {
  /** Unsent bytes past which a client is taken to have stopped reading for good. */
  static final long MAX_UNREAD_BYTES = 1 << 20;

  private final HarkMetrics metrics;
  private boolean closing;

  UnreadOutputLimit(HarkMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // the promise passed on is the caller's to watch
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ChannelOutboundBuffer unsent = ctx.channel().unsafe().outboundBuffer();
    long pending = unsent == null ? 0 : unsent.totalPendingWriteBytes();
    if (!closing && pending + size(msg) <= MAX_UNREAD_BYTES) {
      ctx.write(msg, promise);
      return;
    }
    ReferenceCountUtil.release(msg);
    if (!promise.isVoid()) {
      promise.tryFailure(new ClosedChannelException());
    }
    if (!closing) {
      closing = true;
      metrics.connectionClosed("unread");
      Connections.endsItsSession(ctx.channel());
      Connections.close(ctx);
    }
  }

  private static long size(Object msg) {
    if (msg instanceof ByteBuf b) {
      return b.readableBytes();
    }
    if (msg instanceof ByteBufHolder h) {
      return h.content().readableBytes();
    }
    return msg instanceof FileRegion f ? f.count() - f.transferred() : 0;
  }
}
