package dev.hark.server;

import dev.hark.ingest.SessionState;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What a completed WebSocket handshake opens: the session, on the socket (through the dialect its path speaks,
 * or, for Hark's own protocol, a {@link ResumableChannel} when resuming is on), its id naming this node, the access
 * token it came with, its {@code --max-session-s} timer, and the waiting session whose address slot it was let in
 * on ({@code claimed}, see {@link AddressShare#claim}), if any.
 */
record SessionOpening(SessionState session, NettySessionChannel wire, Dialect dialect, ResumableChannel resumable,
    String accessToken, Future<?> maxDuration, String claimed) {

  static SessionOpening open(ChannelHandlerContext ctx, WebSocketServerProtocolHandler.HandshakeComplete handshake,
      SessionHandler.Shared shared, boolean voskEverywhere) {
    ServerConfig config = shared.config();
    NettySessionChannel wire = new NettySessionChannel(ctx.channel(), shared.metrics());
    Dialect dialect = null;
    String accessToken = null;
    if (RequestTarget.parse(handshake.requestUri()) instanceof RequestTarget.Parsed t) {
      dialect = Dialect.of(t, voskEverywhere, ctx.channel(), wire, shared.controller().settings(), shared.metrics());
      accessToken = Admission.token(handshake.requestHeaders(), t);
    }
    String id = config.nodeName() + "." + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    ResumableSessions resumables = shared.resumables();
    ResumableChannel resumable = dialect == null && resumables.enabled()
        ? new ResumableChannel(wire, ctx.channel().eventLoop(), shared.metrics(), () -> resumables.endById(id)) : null;
    SessionState session = new SessionState(id, dialect != null ? dialect : resumable != null ? resumable : wire,
        shared.controller(), shared.recognition(), config.recordDir(), config.maxMessagesPerSecond(),
        SessionHandler.takeCredit(ctx.channel()));
    Future<?> maxDuration = ctx.executor().schedule(() -> {
      if (!session.isEnding()) {
        shared.metrics().connectionClosed("max_duration");
        session.endByServer("max_duration", config.drainTimeout().toNanos());
      }
    }, config.maxSessionDuration().toNanos(), TimeUnit.NANOSECONDS);
    if (dialect != null) {
      dialect.opened(session);
    }
    String claimed = null;
    if (resumable != null) {
      // The session holds its address's slot from now on, whatever becomes of this connection.
      Admission.Admitted admitted = Admission.take(ctx.channel());
      claimed = admitted == null || admitted.claimed() == null ? null : admitted.claimed().sessionId();
      resumables.register(session, resumable, accessToken, maxDuration, admitted);
    }
    return new SessionOpening(session, wire, dialect, resumable, accessToken, maxDuration, claimed);
  }
}
