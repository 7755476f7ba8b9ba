package dev.hark.server;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.CloseCode;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.ProtocolError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import java.util.function.LongSupplier;

/**
 * One session's share of {@code --max-messages-per-s} ({@link MessageRate}) and what its verdicts do: a message over
 * it is dropped and counted (the client is told at most once a second), a ping over it gets no pong, and a flood
 * closes the connection with 1008. A {@code block} session's messages are never dropped for the rate: its socket is
 * read slower instead ({@link #slow}). The connection's event loop's.
 */
final class ConnectionRate {
  private static final String PONG_FRAME = "pong_frame";
  /** The longest text frame read while over the rate: short enough to be a message that ends the session. */
  private static final int MAX_END_BYTES = 64;

  private final MessageRate rate;
  private final int perSecond;
  private final HarkMetrics metrics;
  private final ThrottledLog clientFaults;
  private final LongSupplier clock;
  private boolean flooded;
  /** Reading is stopped until the allowance has room again ({@link #slow}). */
  private boolean slowed;

  ConnectionRate(int perSecond, LongSupplier clock, HarkMetrics metrics, ThrottledLog clientFaults) {
    this.clock = clock;
    this.rate = new MessageRate(perSecond, clock.getAsLong());
    this.perSecond = perSecond;
    this.metrics = metrics;
    this.clientFaults = clientFaults;
  }

  /**
   * Whether a frame over the rate is read at all: only a short text may be the message that ends the session
   * ({@code stop}, vosk's {@code eof}, Deepgram's {@code CloseStream}), which no protocol limits, since a client
   * over its rate must still be able to end cleanly. Anything else is dropped unread.
   */
  static boolean mayEndSession(ByteBuf content, boolean text) {
    return text && content.readableBytes() <= MAX_END_BYTES;
  }

  MessageRate.Verdict take(long nowNanos) {
    return rate.take(nowNanos);
  }

  /**
   * A message of a {@code block} session, which was promised no loss: always taken. Over the rate, the socket
   * {@code wire} is not read until the allowance has room again, so TCP pushes back on the client as it does when
   * the queues are full (both must let reading go on).
   */
  MessageRate.Verdict slow(NettySessionChannel wire, long nowNanos) {
    long wait = rate.takeOwing(nowNanos);
    if (wait > 0 && !slowed) {
      slowed = true;
      wire.rateLetsRead(false);
      readAfter(wire, wait);
    }
    return MessageRate.Verdict.TAKEN;
  }

  private void readAfter(NettySessionChannel wire, long delayNanos) {
    NettySessionChannel.schedule(wire.channel().eventLoop(), () -> {
      long wait = rate.untilOne(clock.getAsLong());
      if (wait > 0) { // frames read before reading stopped were taken on credit
        readAfter(wire, wait);
      } else {
        slowed = false;
        wire.rateLetsRead(true);
      }
    }, delayNanos);
  }

  /** The connection flooded and is closing: what it sends now is not read. */
  boolean flooded() {
    return flooded;
  }

  /**
   * A message over the rate, dropped: the error that tells the client how many were dropped (counted when the
   * session sends it), at most once a second; null in between (counted here).
   */
  ProtocolError limited(long nowNanos) {
    long n = rate.takeReport(nowNanos);
    if (n > 0) {
      return new ProtocolError(ErrorCode.RATE_LIMITED, n + " message(s) over " + perSecond + " a second dropped");
    }
    metrics.protocolError(ErrorCode.RATE_LIMITED);
    return null;
  }

  /** A WebSocket ping draws on the message rate; its pong is dropped, counted, when the client is not reading. */
  void ping(ChannelHandlerContext ctx, PingWebSocketFrame ping, long nowNanos, String sessionId) {
    switch (rate.take(nowNanos)) {
      case TAKEN -> {
        if (ctx.channel().isWritable()) {
          Connections.writeAndFlush(ctx.channel(), new PongWebSocketFrame(ping.content().retain()));
        } else {
          metrics.messageDropped(PONG_FRAME);
        }
      }
      case LIMITED -> metrics.messageDropped(PONG_FRAME);
      case FLOOD -> {
        metrics.messageDropped(PONG_FRAME);
        flood(ctx, sessionId);
      }
    }
  }

  /** Closes the connection, which sent more than the flood threshold over the rate within a second. */
  void flood(ChannelHandlerContext ctx, String sessionId) {
    flooded = true;
    Connections.endsItsSession(ctx.channel());
    metrics.connectionClosed("flood");
    long threshold = MessageRate.floodThreshold(perSecond);
    clientFaults.info("session=" + sessionId + " closed: more than " + threshold
        + " messages over --max-messages-per-s within one second");
    ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.POLICY_VIOLATION, "message flood: more than " + threshold
        + " messages over the limit of " + perSecond + " a second")).addListener(ChannelFutureListener.CLOSE);
  }
}
