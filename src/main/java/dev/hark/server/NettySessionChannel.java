package dev.hark.server;

import dev.hark.ingest.SessionChannel;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.MessageEncoder;
import dev.hark.protocol.ServerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.concurrent.TimeUnit;

/** A session's Netty channel: writes respect writability, so a client that does not read costs status messages, not audio. */
final class NettySessionChannel implements SessionChannel {
  /** Unsent bytes past which a client is taken to have stopped reading for good. */
  static final long MAX_UNREAD_BYTES = 1 << 20;
  private final Channel channel;
  private final HarkMetrics metrics;
  private final java.util.concurrent.atomic.AtomicBoolean closingUnread = new java.util.concurrent.atomic.AtomicBoolean();

  NettySessionChannel(Channel channel, HarkMetrics metrics) {
    this.channel = channel;
    this.metrics = metrics;
  }

  @Override
  public void send(ServerMessage m) {
    if (!channel.isActive() || (m.droppable() && !channel.isWritable())) {
      metrics.messageDropped(m.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
      return;
    }
    if (channel.bytesBeforeWritable() > MAX_UNREAD_BYTES) {
      // Even messages that must not be dropped cannot queue without end for a client that never reads.
      metrics.messageDropped(m.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
      if (closingUnread.compareAndSet(false, true)) {
        metrics.connectionClosed("unread");
        channel.close();
      }
      return;
    }
    ByteBuf buf = channel.alloc().buffer(128);
    try {
      MessageEncoder.write(m, new ByteBufOutputStream(buf));
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
    channel.writeAndFlush(new TextWebSocketFrame(buf), channel.voidPromise());
  }

  @Override
  public void execute(Runnable task) {
    channel.eventLoop().execute(task);
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    channel.eventLoop().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void setReading(boolean reading) {
    channel.config().setAutoRead(reading);
  }

  @Override
  public void close(int code, String reason) {
    channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public String remoteAddress() {
    return String.valueOf(channel.remoteAddress());
  }
}
