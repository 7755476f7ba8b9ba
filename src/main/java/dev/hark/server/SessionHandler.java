package dev.hark.server;

import dev.hark.ingest.ConcurrencyController;
import dev.hark.ingest.SessionState;
import dev.hark.ingest.SourceConsumer;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.CloseCode;
import dev.hark.protocol.Decoded;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.MessageDecoder;
import dev.hark.protocol.ProtocolError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.MessageAggregationException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One WebSocket connection: decodes each frame and hands the message to the connection's {@link SessionState}. */
final class SessionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);
  private static final AttributeKey<Boolean> RESERVED = AttributeKey.valueOf("hark.sessionSlot");
  /** One copy buffer per event loop thread: frames are decoded one at a time there, and sessions stay small. */
  private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[8192];
    }
  };

  private static final AttributeKey<SessionState> SESSION = AttributeKey.valueOf("hark.session");

  private final ConcurrencyController controller;
  private final HarkMetrics metrics;
  private final SourceConsumer consumer;
  private final ServerConfig config;
  private final int maxMessageBytes;
  private final ChannelGroup open;
  private SessionState session;
  private MessageRate rate;
  private java.util.concurrent.Future<?> maxDuration;

  SessionHandler(ConcurrencyController controller, HarkMetrics metrics, SourceConsumer consumer, ServerConfig config,
      ChannelGroup open) {
    this.open = open;
    this.controller = controller;
    this.metrics = metrics;
    this.consumer = consumer;
    this.config = config;
    this.maxMessageBytes = config.maxMessageBytes();
  }

  /** The session on this channel, or null before the upgrade. */
  static SessionState session(Channel ch) {
    return ch.attr(SESSION).get();
  }

  static boolean reserved(Channel ch) {
    return Boolean.TRUE.equals(ch.attr(RESERVED).get());
  }

  static void markReserved(Channel ch) {
    ch.attr(RESERVED).set(Boolean.TRUE);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
      idle(ctx);
      return;
    }
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      session = new SessionState(newSessionId(), new NettySessionChannel(ctx.channel(), metrics), controller, consumer,
          config.recordDir(), config.maxMessagesPerSecond());
      rate = new MessageRate(config.maxMessagesPerSecond(), System.nanoTime());
      ctx.channel().attr(SESSION).set(session);
      open.add(ctx.channel());
      SessionState s = session;
      maxDuration = ctx.executor().schedule(() -> {
        if (!s.stopRequested()) {
          metrics.connectionClosed("max_duration");
          s.endByServer("max_duration", config.drainTimeout().toNanos());
        }
      }, config.maxSessionDuration().toNanos(), TimeUnit.NANOSECONDS);
    }
    super.userEventTriggered(ctx, evt);
  }

  private void idle(ChannelHandlerContext ctx) {
    if (!ctx.channel().config().isAutoRead() || (session != null && session.stopRequested())) {
      return; // not reading (block policy) or waiting for results after stop: silence is the server's doing
    }
    metrics.idleClosed();
    if (session == null) {
      ctx.close(); // an HTTP connection or an upgrade that never finished
      return;
    }
    log.info("session={} closed: idle", session.id());
    ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.GOING_AWAY, "idle: no audio or ping for "
        + ctx.pipeline().get(IdleStateHandler.class).getReaderIdleTimeInMillis() / 1000 + " s"))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (session == null) {
        return;
      }
      Decoded d = msg instanceof TextWebSocketFrame text ? decodeText(text.content())
          : msg instanceof BinaryWebSocketFrame binary ? MessageDecoder.decodeBinary(ByteBufUtil.getBytes(binary.content()))
          : null;
      if (d != null) {
        metrics.messageReceived();
      }
      // stop is never rate limited: a client over its rate must still be able to end cleanly.
      if (d != null && (d instanceof ClientMessage.Stop || withinRate())) {
        dispatch(d);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** Over the rate, a message is dropped and counted; the client hears of it at most once a second. */
  private boolean withinRate() {
    long now = System.nanoTime();
    if (rate.tryTake(now)) {
      return true;
    }
    long n = rate.reportDue(now);
    if (n > 0) {
      session.reject(new ProtocolError(ErrorCode.RATE_LIMITED, n + " message(s) over " + config.maxMessagesPerSecond()
          + " a second dropped"), null); // counts this one too
    } else {
      metrics.protocolError(ErrorCode.RATE_LIMITED);
    }
    return false;
  }

  private Decoded decodeText(ByteBuf content) {
    int n = content.readableBytes();
    byte[] buf = SCRATCH.get();
    if (buf.length < n) {
      buf = new byte[Math.min(Math.max(n, buf.length * 2), maxMessageBytes)];
      SCRATCH.set(buf);
    }
    content.getBytes(content.readerIndex(), buf, 0, n);
    return MessageDecoder.decodeText(buf, n);
  }

  private void dispatch(Decoded d) {
    switch (d) {
      case ClientMessage m -> session.handle(m);
      case ProtocolError e -> session.reject(e, null);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (maxDuration != null) {
      maxDuration.cancel(false); // else the timer would hold the closed session for hours
    }
    if (session != null) {
      session.close();
    } else if (reserved(ctx.channel())) {
      controller.releaseSession();
    }
    ctx.channel().attr(RESERVED).set(Boolean.FALSE);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String id = session == null ? "-" : session.id();
    if (cause instanceof CorruptedWebSocketFrameException) {
      // Netty has already sent the close frame with the right code (1002, or 1009 for an oversized frame).
      log.info("session={} closed for a WebSocket protocol violation: {}", id, cause.getMessage());
      ctx.close();
    } else if (cause instanceof TooLongFrameException) {
      log.info("session={} closed: message over {} bytes", id, maxMessageBytes);
      ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.MESSAGE_TOO_BIG, "message over " + maxMessageBytes
          + " bytes")).addListener(ChannelFutureListener.CLOSE);
    } else if (cause instanceof MessageAggregationException || cause instanceof PrematureChannelClosureException) {
      // Fragments out of order, or the peer left mid-message: the client's fault, said as a protocol error.
      log.info("session={} closed: broken fragmented message ({})", id, cause.getMessage());
      ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.PROTOCOL_ERROR, "broken fragmented message"))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (cause instanceof java.io.IOException) {
      log.debug("session={} connection error: {}", id, cause.toString());
      ctx.close();
    } else {
      log.warn("session={} closed after an unexpected error", id, cause);
      ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.INTERNAL_ERROR, "internal error"))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static String newSessionId() {
    return Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  }
}
