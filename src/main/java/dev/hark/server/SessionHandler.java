package dev.hark.server;

import dev.hark.ingest.ConcurrencyController;
import dev.hark.ingest.Recognition;
import dev.hark.ingest.SessionState;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.CloseCode;
import dev.hark.protocol.Decoded;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.ProtocolError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.MessageAggregationException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One WebSocket connection: decodes each frame and hands the message to the connection's {@link SessionState}. */
final class SessionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);
  private static final AttributeKey<Boolean> RESERVED = AttributeKey.valueOf("hark.sessionSlot");
  private static final AttributeKey<SessionState> SESSION = AttributeKey.valueOf("hark.session");
  /** The longest text frame read while over the rate, to see whether it is {@code stop}. */
  private static final int MAX_STOP_BYTES = 64;
  private static final String PONG_FRAME = "pong_frame";

  private final ConcurrencyController controller;
  private final HarkMetrics metrics;
  private final Recognition recognition;
  private final ServerConfig config;
  private final int maxMessageBytes;
  private final ChannelGroup open;
  private final ThrottledLog clientFaults;
  private final ThrottledLog serverFaults;
  private SessionState session;
  /** On the --vosk-port listener, where every session speaks vosk-server's protocol. */
  private final boolean voskEverywhere;
  /** Non-null when the client speaks another server's protocol (by its upgrade path, or on --vosk-port). */
  private Dialect dialect;
  private MessageRate rate;
  private boolean flooded;
  private Future<?> maxDuration;

  SessionHandler(ConcurrencyController controller, HarkMetrics metrics, Recognition recognition, ServerConfig config,
      ChannelGroup open, ThrottledLog clientFaults, ThrottledLog serverFaults, boolean voskEverywhere) {
    this.voskEverywhere = voskEverywhere;
    this.open = open;
    this.clientFaults = clientFaults;
    this.serverFaults = serverFaults;
    this.controller = controller;
    this.metrics = metrics;
    this.recognition = recognition;
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
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
      if (ctx.pipeline().get(RequestDeadline.class) != null) {
        ctx.pipeline().remove(RequestDeadline.class); // from here on, the WebSocket's own timeouts apply
      }
      NettySessionChannel wire = new NettySessionChannel(ctx.channel(), metrics);
      if (RequestTarget.parse(handshake.requestUri()) instanceof RequestTarget.Parsed t) {
        dialect = Dialect.of(t, voskEverywhere, ctx.channel(), wire, controller.settings(), metrics);
      }
      session = new SessionState(newSessionId(), dialect != null ? dialect : wire, controller, recognition,
          config.recordDir(), config.maxMessagesPerSecond());
      rate = new MessageRate(config.maxMessagesPerSecond(), controller.now());
      ctx.channel().attr(SESSION).set(session);
      open.add(ctx.channel());
      SessionState s = session;
      maxDuration = ctx.executor().schedule(() -> {
        if (!s.isEnding()) {
          metrics.connectionClosed("max_duration");
          s.endByServer("max_duration", config.drainTimeout().toNanos());
        }
      }, config.maxSessionDuration().toNanos(), TimeUnit.NANOSECONDS);
      if (dialect != null) {
        dialect.opened(session);
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  private void idle(ChannelHandlerContext ctx) {
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

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (session == null || flooded) {
        return; // before the handshake, or after a flood while the close goes out
      }
      switch (msg) {
        case TextWebSocketFrame text -> data(ctx, text.content(), true);
        case BinaryWebSocketFrame binary -> data(ctx, binary.content(), false);
        case PingWebSocketFrame ping -> ping(ctx, ping);
        case CloseWebSocketFrame close -> ctx.writeAndFlush(ClientClose.answer(close.content()))
            .addListener(ChannelFutureListener.CLOSE);
        default -> { } // unsolicited pongs are dropped by the protocol handler; nothing else arrives here
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * A data message: the rate is checked before anything is copied out of the frame, so what the limit drops costs
   * no allocation; only a small text frame over the rate is read, since it may be {@code stop}, which is never
   * limited (a client over its rate must still be able to end cleanly).
   */
  private void data(ChannelHandlerContext ctx, ByteBuf content, boolean text) {
    metrics.messageReceived();
    long now = controller.now();
    switch (rate.take(now)) {
      case TAKEN -> {
        if (dialect != null) {
          dialect.read(session, content, text);
        } else {
          dispatch(text ? FrameDecoder.text(content, maxMessageBytes) : FrameDecoder.binary(content));
        }
      }
      case LIMITED -> {
        if (dialect != null) {
          if (!dialect.readOverRate(session, content, text)) {
            limited(now);
          }
        } else if (text && content.readableBytes() <= MAX_STOP_BYTES && FrameDecoder.text(content,
            maxMessageBytes) instanceof ClientMessage.Stop stop) {
          session.handle(stop);
        } else {
          limited(now);
        }
      }
      case FLOOD -> {
        metrics.protocolError(ErrorCode.RATE_LIMITED);
        flood(ctx);
      }
    }
  }

  /** A WebSocket ping draws on the message rate; its pong is dropped, counted, when the client is not reading. */
  private void ping(ChannelHandlerContext ctx, PingWebSocketFrame ping) {
    switch (rate.take(controller.now())) {
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
        flood(ctx);
      }
    }
  }

  /** Over the rate, a message is dropped and counted; the client hears of it at most once a second. */
  private void limited(long now) {
    long n = rate.takeReport(now);
    if (n > 0) {
      session.reject(new ProtocolError(ErrorCode.RATE_LIMITED, n + " message(s) over " + config.maxMessagesPerSecond()
          + " a second dropped"), null); // counts this one too
    } else {
      metrics.protocolError(ErrorCode.RATE_LIMITED);
    }
  }

  private void flood(ChannelHandlerContext ctx) {
    flooded = true;
    metrics.connectionClosed("flood");
    long threshold = MessageRate.floodThreshold(config.maxMessagesPerSecond());
    clientFaults.info("session=" + session.id() + " closed: more than " + threshold
        + " messages over --max-messages-per-s within one second");
    ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.POLICY_VIOLATION, "message flood: more than " + threshold
        + " messages over the limit of " + config.maxMessagesPerSecond() + " a second"))
        .addListener(ChannelFutureListener.CLOSE);
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
      controller.admission().release();
    }
    ctx.channel().attr(RESERVED).set(Boolean.FALSE);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String id = session == null ? "-" : session.id();
    if (cause instanceof DecoderException d && d.getCause() instanceof SSLException) {
      // Plain text to a TLS port, or a handshake that failed: the client's doing; nothing of it is logged.
      clientFaults.info("closed a connection that did not complete a TLS handshake");
      metrics.connectionClosed("tls");
      Connections.close(ctx);
    } else if (cause instanceof CorruptedWebSocketFrameException e) {
      // Netty's frame decoder says which code (1002; 1007 for a close reason that is not UTF-8; 1009 for an
      // oversized frame) and discards whatever follows; the reason sent is the code's name, never client bytes.
      clientFaults.info("session=" + id + " closed for a WebSocket protocol violation (" + e.closeStatus().code()
          + ")");
      ctx.writeAndFlush(new CloseWebSocketFrame(e.closeStatus().code(), e.closeStatus().reasonText()))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (cause instanceof TooLongFrameException) {
      clientFaults.info("session=" + id + " closed: message over " + maxMessageBytes + " bytes");
      ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.MESSAGE_TOO_BIG, "message over " + maxMessageBytes
          + " bytes")).addListener(ChannelFutureListener.CLOSE);
    } else if (cause instanceof MessageAggregationException || cause instanceof PrematureChannelClosureException) {
      // Fragments out of order, or the peer left mid-message: the client's fault, said as a protocol error.
      clientFaults.info("session=" + id + " closed: broken fragmented message");
      ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.PROTOCOL_ERROR, "broken fragmented message"))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (cause instanceof WebSocketHandshakeException) {
      // Checked beforehand (UpgradeRequest), so this is rare; closing gives the slot back at once.
      clientFaults.info("closed a connection whose WebSocket handshake failed");
      Connections.close(ctx);
    } else if (cause instanceof IOException) {
      log.debug("session={} connection error: {}", id, LogSafe.clean(cause.toString()));
      Connections.close(ctx);
    } else if (session == null) {
      serverFaults.warn("connection closed after an unexpected error", cause);
      Connections.close(ctx); // plain HTTP: no WebSocket close frame to send
    } else {
      serverFaults.warn("session=" + id + " closed after an unexpected error", cause);
      ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.INTERNAL_ERROR, "internal error"))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static String newSessionId() {
    return Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  }
}
