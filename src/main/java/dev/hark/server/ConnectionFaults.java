package dev.hark.server;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.CloseCode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.MessageAggregationException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a connection does with an exception that reached the end of its pipeline: the client's faults (TLS, frames,
 * sizes, handshakes) are answered with the exact close code and logged throttled; the server's are logged with their
 * stack, and the session is closed with 1011. The connection always ends; the server goes on.
 */
final class ConnectionFaults {
  private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);
  private final HarkMetrics metrics;
  private final ThrottledLog clientFaults;
  private final ThrottledLog serverFaults;
  private final int maxMessageBytes;

  ConnectionFaults(HarkMetrics metrics, ThrottledLog clientFaults, ThrottledLog serverFaults, int maxMessageBytes) {
    this.metrics = metrics;
    this.clientFaults = clientFaults;
    this.serverFaults = serverFaults;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** {@code cause} reached the end of {@code ctx}'s pipeline; {@code sessionId} is null before the upgrade. */
  void caught(ChannelHandlerContext ctx, Throwable cause, String sessionId) {
    String id = sessionId == null ? "-" : sessionId;
    if (!(cause instanceof IOException)) {
      Connections.endsItsSession(ctx.channel()); // a lost connection may be resumed; a broken client's may not
    }
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
    } else if (sessionId == null) {
      serverFaults.warn("connection closed after an unexpected error", cause);
      Connections.close(ctx); // plain HTTP: no WebSocket close frame to send
    } else {
      serverFaults.warn("session=" + id + " closed after an unexpected error", cause);
      ctx.writeAndFlush(new CloseWebSocketFrame(CloseCode.INTERNAL_ERROR, "internal error"))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }
}
