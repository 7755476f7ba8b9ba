package dev.hark.server;

import dev.hark.ingest.IngestSettings;
import dev.hark.ingest.SessionChannel;
import dev.hark.ingest.SessionState;
import dev.hark.metrics.HarkMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Another server's wire protocol spoken on a Hark session, so that clients written for it work unchanged: it turns
 * the client's frames into Hark messages for the session, and Hark's messages into the protocol's own. Everything
 * else (queues, overflow, shedding, recognition, metrics, limits) is the session's, written once. One per
 * connection; {@link #read} runs on the connection's event loop, {@link #send} on any thread.
 */
abstract sealed class Dialect implements SessionChannel permits VoskDialect, DeepgramDialect, OpenAiDialect {
  final Channel channel;
  final NettySessionChannel wire;

  Dialect(Channel channel, NettySessionChannel wire) {
    this.channel = channel;
    this.wire = wire;
  }

  /** Whether an upgrade at {@code path} is taken: Hark's own path, or one of a dialect's. */
  static boolean isWebSocketPath(String path) {
    return path.equals(HttpRoutes.WS_PATH) || path.equals(VoskDialect.PATH) || path.equals(DeepgramDialect.PATH)
        || path.equals(OpenAiDialect.PATH);
  }

  /** What is wrong with an upgrade's query for the dialect at its path, answered before the upgrade; or null. */
  static HttpError problem(RequestTarget.Parsed target, IngestSettings settings) {
    return target.path().equals(DeepgramDialect.PATH) ? DeepgramDialect.problem(target, settings) : null;
  }

  /** The dialect an upgrade at {@code target} speaks, or null for Hark's own protocol. */
  static Dialect of(RequestTarget.Parsed target, boolean voskEverywhere, Channel ch, NettySessionChannel wire,
      IngestSettings settings, HarkMetrics metrics) {
    if (voskEverywhere || target.path().equals(VoskDialect.PATH)) {
      return new VoskDialect(ch, wire, settings.sampleRate());
    }
    return switch (target.path()) {
      case DeepgramDialect.PATH -> new DeepgramDialect(ch, wire, DeepgramDialect.Options.of(target));
      case OpenAiDialect.PATH -> new OpenAiDialect(ch, wire, metrics);
      default -> null;
    };
  }

  /** The WebSocket is open: a protocol that starts with the connection (or greets the client) does so here. */
  void opened(SessionState session) {
  }

  /** One client frame, taken under the session's message rate. */
  abstract void read(SessionState session, ByteBuf content, boolean text);

  /**
   * A frame over the session's message rate: returns whether it was still taken (a frame that ends the session is,
   * as Hark's {@code stop} is); else it is dropped and the caller counts it.
   */
  boolean readOverRate(SessionState session, ByteBuf content, boolean text) {
    return false;
  }

  /** None of the other protocols has a word for acknowledged audio. */
  @Override
  public boolean acknowledgesAudio() {
    return false;
  }

  @Override
  public void execute(Runnable task) {
    wire.execute(task);
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    wire.schedule(task, delayNanos);
  }

  @Override
  public void setReading(boolean reading) {
    wire.setReading(reading);
  }

  @Override
  public void close(int code, String reason) {
    wire.close(code, reason);
  }

  @Override
  public boolean inSessionThread() {
    return channel.eventLoop().inEventLoop();
  }

  @Override
  public String remoteAddress() {
    return wire.remoteAddress();
  }
}
