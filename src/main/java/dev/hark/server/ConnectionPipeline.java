package dev.hark.server;

import dev.hark.ingest.ConcurrencyController;
import dev.hark.ingest.Recognition;
import dev.hark.metrics.HarkMetrics;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The handlers of every connection, from the socket inwards: the bound on unread output, the idle and request
 * deadlines, HTTP with its limits, the routes and upgrade gate, the WebSocket protocol, and the session.
 */
final class ConnectionPipeline extends ChannelInitializer<SocketChannel> {
  private final ServerConfig config;
  private final ConcurrencyController controller;
  private final HarkMetrics metrics;
  private final StaticFiles page;
  private final Admission admission;
  private final ThrottledLog clientFaults;
  private final SessionHandler.Shared shared;
  private final Supplier<byte[]> capacity;
  /** Null for plain connections. */
  private final TlsFiles tls;
  /** Every upgrade speaks vosk-server's protocol, whatever its path (the --vosk-port listener). */
  private final boolean voskEverywhere;

  ConnectionPipeline(ServerConfig config, ConcurrencyController controller, HarkMetrics metrics,
      Recognition recognition, ChannelGroup sessions, ResumableSessions resumables, Supplier<byte[]> capacity) {
    this.voskEverywhere = false;
    this.capacity = capacity;
    this.tls = config.tls() ? new TlsFiles(config.tlsCert(), config.tlsKey()) : null;
    this.config = config;
    this.controller = controller;
    this.metrics = metrics;
    this.page = new StaticFiles();
    this.admission = new Admission(config.access(), resumables);
    this.clientFaults = new ThrottledLog(LoggerFactory.getLogger(HttpRoutes.class), System::nanoTime);
    ThrottledLog serverFaults = new ThrottledLog(LoggerFactory.getLogger(SessionHandler.class), System::nanoTime);
    this.shared = new SessionHandler.Shared(controller, metrics, recognition, config, sessions, clientFaults,
        new ConnectionFaults(metrics, clientFaults, serverFaults, config.maxMessageBytes()), resumables, admission);
  }

  /** The same pipeline, sharing admission (tokens, per-address counts), TLS and logs, for the --vosk-port listener. */
  private ConnectionPipeline(ConnectionPipeline p) {
    this.voskEverywhere = true;
    this.capacity = p.capacity;
    this.tls = p.tls;
    this.config = p.config;
    this.controller = p.controller;
    this.metrics = p.metrics;
    this.page = p.page;
    this.admission = p.admission;
    this.clientFaults = p.clientFaults;
    this.shared = p.shared;
  }

  /** This pipeline for a port where every upgrade speaks vosk-server's protocol, whatever its path. */
  ConnectionPipeline speakingVoskEverywhere() {
    return new ConnectionPipeline(this);
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (tls != null) {
      // First, nearest the socket: everything else reads and writes plain bytes. Its handshake must finish within
      // the request deadline's time like any request (Netty's own default is 10 s).
      ch.pipeline().addLast("tls", tls.context().newHandler(ch.alloc()));
    }
    ch.pipeline().addLast(
        // Nearest the socket (or the TLS handler), so it sees every byte written, whoever wrote it.
        new UnreadOutputLimit(metrics),
        // Idle means no bytes at all for the timeout (WebSocket pings count), so it sits before the codecs;
        // a request trickling in is not idle, and the request deadline cuts it off instead.
        new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
        new RequestDeadline(config.requestTimeout().toNanos(), metrics),
        new HttpServerCodec(new HttpDecoderConfig()
            .setMaxInitialLineLength(HttpLimits.MAX_REQUEST_LINE_BYTES)
            .setMaxHeaderSize(HttpLimits.MAX_HEADER_BYTES)),
        new BoundedHttpAggregator(metrics),
        new HttpRoutes(controller, metrics, page, admission, clientFaults, capacity, voskEverywhere),
        new PingForwardingProtocolHandler(webSocketConfig(config.maxMessageBytes())),
        new WebSocketFrameAggregator(config.maxMessageBytes()),
        new SessionHandler(shared, voskEverywhere));
  }

  private static WebSocketServerProtocolConfig webSocketConfig(int maxMessageBytes) {
    return WebSocketServerProtocolConfig.newBuilder()
        // HttpRoutes forwards only upgrades to Hark's paths (its own protocol and the dialects'); each is taken here.
        .websocketPath("/")
        // Browsers that carry their token as a subprotocol need one answered back (Hark's, Deepgram's, OpenAI's).
        .subprotocols(Admission.SUBPROTOCOLS)
        .checkStartsWith(true)
        .handleCloseFrames(false)
        // Every close frame is written by SessionHandler, which knows why; Netty's default would add a 1000.
        .sendCloseFrame(null)
        .dropPongFrames(true)
        .handshakeTimeoutMillis(10_000)
        // Hark's JSON parser validates the UTF-8 of every field it reads; Netty's frame-level check costs ~2 µs a
        // frame.
        .decoderConfig(WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(maxMessageBytes)
            .withUTF8Validator(false)
            .closeOnProtocolViolation(false)
            .build())
        .build();
  }
}
