package dev.hark.server;

import dev.hark.ingest.ConcurrencyController;
import dev.hark.ingest.SessionState;
import dev.hark.ingest.SourceConsumer;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.CloseCode;
import dev.hark.protocol.Decoded;
import dev.hark.protocol.MessageDecoder;
import dev.hark.protocol.ProtocolError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
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

  private final ConcurrencyController controller;
  private final HarkMetrics metrics;
  private final SourceConsumer consumer;
  private final int maxMessageBytes;
  private final ChannelGroup open;
  private SessionState session;

  SessionHandler(ConcurrencyController controller, HarkMetrics metrics, SourceConsumer consumer, int maxMessageBytes,
      ChannelGroup open) {
    this.open = open;
    this.controller = controller;
    this.metrics = metrics;
    this.consumer = consumer;
    this.maxMessageBytes = maxMessageBytes;
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
      session = new SessionState(newSessionId(), new NettySessionChannel(ctx.channel(), metrics), controller, consumer);
      open.add(ctx.channel());
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
      if (msg instanceof TextWebSocketFrame text) {
        dispatch(decodeText(text.content()));
      } else if (msg instanceof BinaryWebSocketFrame binary) {
        dispatch(MessageDecoder.decodeBinary(ByteBufUtil.getBytes(binary.content())));
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
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
