package dev.hark.server;

import dev.hark.ingest.SessionChannel;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.MessageEncoder;
import dev.hark.protocol.ServerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's Netty channel: writes respect writability, so a client that does not read costs status messages, not
 * audio. Messages that may not be dropped are bounded too, by {@link UnreadOutputLimit} at the socket end.
 */
final class NettySessionChannel implements SessionChannel {
  private static final Logger log = LoggerFactory.getLogger(NettySessionChannel.class);
  private final Channel channel;
  private final HarkMetrics metrics;
  // Why the socket may not be read, guarded by this: the session's queues (block policy, from the session's thread)
  // and its message rate (block policy, from the connection's event loop). It is read only when neither objects.
  private boolean queuesLetRead = true;
  private boolean rateLetsRead = true;

  NettySessionChannel(Channel channel, HarkMetrics metrics) {
    this.channel = channel;
    this.metrics = metrics;
  }

  @Override
  public void send(ServerMessage m) {
    if (!channel.isActive() || (m.droppable() && !channel.isWritable())) {
      metrics.messageDropped(m.getClass().getSimpleName().toLowerCase(Locale.ROOT));
      return;
    }
    ByteBuf buf = channel.alloc().buffer(128);
    try {
      MessageEncoder.write(m, new ByteBufOutputStream(buf));
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
    Connections.writeAndFlush(channel, new TextWebSocketFrame(buf));
  }

  /** A text frame in another protocol's words (not droppable: that protocol's client waits for it). */
  void sendText(String json) {
    if (!channel.isActive()) {
      metrics.messageDropped("reply");
      return;
    }
    Connections.writeAndFlush(channel, new TextWebSocketFrame(json));
  }

  Channel channel() {
    return channel;
  }

  @Override
  public boolean inSessionThread() {
    return channel.eventLoop().inEventLoop();
  }

  @Override
  public void execute(Runnable task) {
    channel.eventLoop().execute(task);
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    schedule(channel.eventLoop(), task, delayNanos);
  }

  /** Runs a session's {@code task} on {@code loop} after {@code delayNanos}, logging what it throws. */
  static void schedule(EventLoop loop, Runnable task, long delayNanos) {
    loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS).addListener(f -> {
      // A scheduled task's exception lands in its future, where nobody would see it.
      if (!f.isSuccess() && !f.isCancelled()) {
        log.warn("a scheduled session task failed", f.cause());
      }
    });
  }

  @Override
  public synchronized void setReading(boolean reading) {
    queuesLetRead = reading;
    channel.config().setAutoRead(queuesLetRead && rateLetsRead);
  }

  /** The message rate's say on reading ({@link ConnectionRate#slow}), apart from the queues'. */
  synchronized void rateLetsRead(boolean reading) {
    rateLetsRead = reading;
    channel.config().setAutoRead(queuesLetRead && rateLetsRead);
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
