package dev.hark.server;

import dev.hark.metrics.HarkMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A whole HTTP request (the WebSocket upgrade included) must arrive within a deadline of its first byte. The idle
 * timeout alone would let a slowloris client hold a connection for ever by sending a header byte now and then.
 * Sits before the HTTP codec; {@link HttpRoutes} disarms it when a request is complete and removes it on upgrade.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {
  private final long timeoutNanos;
  private final HarkMetrics metrics;
  private ScheduledFuture<?> timer;

  RequestDeadline(long timeoutNanos, HarkMetrics metrics) {
    this.timeoutNanos = timeoutNanos;
    this.metrics = metrics;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    arm(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (timer == null && msg instanceof ByteBuf) {
      arm(ctx);
    }
    super.channelRead(ctx, msg);
  }

  private void arm(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(() -> {
      metrics.connectionClosed("slow_request");
      Connections.close(ctx);
    }, timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** The request now in is complete. */
  void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    disarm();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    super.channelInactive(ctx);
  }
}
