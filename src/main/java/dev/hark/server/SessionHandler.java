package dev.hark.server;

import dev.hark.ingest.ConcurrencyController;
import dev.hark.ingest.Recognition;
import dev.hark.ingest.SessionState;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.Decoded;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.protocol.ProtocolError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

/**
 * One WebSocket connection: decodes each frame and hands the message to the connection's {@link SessionState}. A
 * session of Hark's own protocol can outlive its connection ({@link ResumableSessions}): a new connection's
 * {@code start} with {@code resume} takes it up, and from then on this handler hands each message to the session's
 * own thread, which may be another event loop.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {
  /** What every connection's handler shares. */
  record Shared(ConcurrencyController controller, HarkMetrics metrics, Recognition recognition, ServerConfig config,
      ChannelGroup open, ThrottledLog clientFaults, ConnectionFaults faults, ResumableSessions resumables,
      Admission admission) {}

  /** The session slot an upgrade took, with the cost it reserved for the session's first source (null: none). */
  private static final AttributeKey<Long> RESERVED = AttributeKey.valueOf("hark.sessionSlot");
  private static final AttributeKey<SessionState> SESSION = AttributeKey.valueOf("hark.session");

  private final ConcurrencyController controller;
  private final HarkMetrics metrics;
  private final ServerConfig config;
  private final int maxMessageBytes;
  private final ChannelGroup open;
  private final ThrottledLog clientFaults;
  private final ConnectionFaults faults;
  private final ResumableSessions resumables;
  private final Shared shared;
  private SessionState session;
  private NettySessionChannel wire;
  /** Non-null for a session that can outlive this connection; its home is the session's thread. */
  private ResumableChannel resumable;
  /** The access token this connection was let in with, which a resume must match. */
  private String accessToken;
  /** Messages read while a resume is being decided, handed on in order once it is. */
  private List<Decoded> pending;
  /** On the --vosk-port listener, where every session speaks vosk-server's protocol. */
  private final boolean voskEverywhere;
  /** Non-null when the client speaks another server's protocol (by its upgrade path, or on --vosk-port). */
  private Dialect dialect;
  private ConnectionRate rate;
  private Future<?> maxDuration;
  /** The waiting session whose address slot this connection was let in on, until it resumes it or settles. */
  private String claimed;
  /** A message of Hark's own protocol was read: a resume must be the first. */
  private boolean spoke;
  /** The connection is closing for its address's share: nothing more is read. */
  private boolean overShare;

  SessionHandler(Shared shared, boolean voskEverywhere) {
    this.shared = shared;
    this.voskEverywhere = voskEverywhere;
    this.open = shared.open();
    this.clientFaults = shared.clientFaults();
    this.faults = shared.faults();
    this.resumables = shared.resumables();
    this.controller = shared.controller();
    this.metrics = shared.metrics();
    this.config = shared.config();
    this.maxMessageBytes = config.maxMessageBytes();
  }

  /** The session on this channel, or null before the upgrade. */
  static SessionState session(Channel ch) {
    return ch.attr(SESSION).get();
  }

  static boolean reserved(Channel ch) {
    return ch.attr(RESERVED).get() != null;
  }

  static void markReserved(Channel ch, long credit) {
    ch.attr(RESERVED).set(credit);
  }

  /** The cost the upgrade reserved, handed to the session that takes the slot over; -1 if none. */
  static long takeCredit(Channel ch) {
    Long c = ch.attr(RESERVED).get();
    return c == null ? -1 : c;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
      IdleConnections.idle(ctx, session, metrics);
      return;
    }
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
      if (ctx.pipeline().get(RequestDeadline.class) != null) {
        ctx.pipeline().remove(RequestDeadline.class); // from here on, the WebSocket's own timeouts apply
      }
      SessionOpening o = SessionOpening.open(ctx, handshake, shared, voskEverywhere);
      wire = o.wire();
      dialect = o.dialect();
      resumable = o.resumable();
      accessToken = o.accessToken();
      maxDuration = o.maxDuration();
      claimed = o.claimed();
      session = o.session();
      rate = new ConnectionRate(config.maxMessagesPerSecond(), controller::now, metrics, clientFaults);
      ctx.channel().attr(SESSION).set(session);
      open.add(ctx.channel());
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (session == null || rate.flooded() || overShare) {
        return; // before the handshake, or after a flood (or over the address's share) while the close goes out
      }
      switch (msg) {
        case TextWebSocketFrame text -> data(ctx, text.content(), true);
        case BinaryWebSocketFrame binary -> data(ctx, binary.content(), false);
        case PingWebSocketFrame ping -> rate.ping(ctx, ping, controller.now(), session.id());
        case CloseWebSocketFrame close -> {
          Connections.endsItsSession(ctx.channel()); // the client closed on purpose: not a lost connection
          ctx.writeAndFlush(ClientClose.answer(close.content())).addListener(ChannelFutureListener.CLOSE);
        }
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
    switch (session.policy() == OverflowPolicy.BLOCK ? rate.slow(wire, now) : rate.take(now)) {
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
        } else if (ConnectionRate.mayEndSession(content, text) && FrameDecoder.text(content,
            maxMessageBytes) instanceof ClientMessage.Stop stop) {
          dispatch(stop);
        } else {
          limited(now);
        }
      }
      case FLOOD -> {
        metrics.protocolError(ErrorCode.RATE_LIMITED);
        rate.flood(ctx, session.id());
      }
    }
  }

  /** Over the rate, a message is dropped and counted; the client hears of it at most once a second. */
  private void limited(long now) {
    ProtocolError e = rate.limited(now);
    if (e != null && dialect != null) {
      session.reject(e, null);
    } else if (e != null) {
      dispatch(e);
    }
  }

  /** A message of Hark's own protocol, handed to the session on its own thread (or held while a resume runs). */
  private void dispatch(Decoded d) {
    boolean first = !spoke;
    spoke = true;
    if (overShare) {
      return;
    }
    if (pending != null) {
      pending.add(d);
    } else if (d instanceof ClientMessage.Start s && s.resume() != null) {
      if (s.resume().sessionId().equals(claimed) || settled()) {
        resume(s.resume(), first);
      }
    } else if (settled()) {
      SessionState s = session;
      if (resumable == null || resumable.home().inEventLoop()) {
        apply(s, d);
      } else {
        resumable.home().execute(() -> apply(s, d));
      }
    }
  }

  /** Whether this connection holds a slot of its address (see {@link Admission#settle}). */
  private boolean settled() {
    if (claimed != null) {
      claimed = null;
      overShare = !shared.admission().settle(session, wire, metrics);
    }
    return !overShare;
  }

  private static void apply(SessionState s, Decoded d) {
    switch (d) {
      case ClientMessage m -> s.handle(m);
      case ProtocolError e -> s.reject(e, null);
    }
  }

  /**
   * {@code start} with {@code resume}: the session it names is looked up on its own thread while this connection
   * holds what it reads; then either this connection's fresh session gives way to the resumed one, or it is told why
   * not (and may still {@code start} afresh).
   */
  private void resume(ClientMessage.Resume r, boolean first) {
    boolean fresh = first && session.isFresh();
    EventLoop home = resumable == null || !fresh ? null : resumables.home(r.sessionId());
    if (home == null) {
      session.reject(resumables.cannotAsk(resumable != null, fresh, r.sessionId()), null);
      return;
    }
    pending = new ArrayList<>();
    Channel ch = wire.channel();
    ch.config().setAutoRead(false);
    NettySessionChannel to = wire;
    String access = accessToken;
    SessionState own = session;
    home.execute(() -> {
      ResumableSessions.Outcome o = resumables.resume(r, access, to, own);
      ch.eventLoop().execute(() -> resumed(ch, o));
    });
  }

  private void resumed(Channel ch, ResumableSessions.Outcome o) {
    switch (o) {
      case ResumableSessions.Resumed r -> {
        claimed = null; // the resumed session keeps its slot, or took this connection's
        resumables.end(session); // the fresh one: its slot was this connection's, the resumed one keeps its own
        ch.attr(RESERVED).set(null);
        session = r.session();
        resumable = r.channel();
        ch.attr(SESSION).set(session);
        if (!ch.isActive()) {
          // Gone while the resume was decided: the session waits again.
          resumables.connectionGone(session, resumable, wire, Connections.mayLeaveSession(ch));
        }
      }
      case ResumableSessions.Refused f -> {
        session.reject(f.error(), null);
        wire.setReading(true);
        settled();
        if (!ch.isActive()) {
          resumables.connectionGone(session, resumable, wire, false);
        }
      }
    }
    List<Decoded> held = pending;
    pending = null;
    held.forEach(this::dispatch);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (session == null) {
      if (reserved(ctx.channel())) {
        controller.admission().release(takeCredit(ctx.channel()));
      }
    } else if (pending == null) { // else a resume is being decided: its answer finds the connection gone
      if (resumable != null) {
        resumables.connectionGone(session, resumable, wire, Connections.mayLeaveSession(ctx.channel()));
      } else {
        maxDuration.cancel(false); // else the timer would hold the closed session for hours
        session.close();
      }
    }
    ctx.channel().attr(RESERVED).set(null);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    faults.caught(ctx, cause, session == null ? null : session.id());
  }

}
