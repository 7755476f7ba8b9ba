package dev.hark.server;

import dev.hark.asr.AsrEngine;
import dev.hark.asr.DecodeScheduler;
import dev.hark.asr.TranscriptListener;
import dev.hark.ingest.ConcurrencyController;
import dev.hark.ingest.DecodeLedger;
import dev.hark.ingest.LoadSettings;
import dev.hark.ingest.Recognition;
import dev.hark.ingest.RecognizerLoad;
import dev.hark.ingest.SessionState;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.CloseCode;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.Word;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Hark gateway: the Netty server, its controller and its recognizer. Close it to stop. */
public final class HarkServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HarkServer.class);
  /** How often the recognizer's load is measured and acted on. */
  private static final long LOAD_INTERVAL_MS = 250;
  /** No recognizer starts warming after this, so the warm-up holds readiness for little more. */
  private static final long WARM_UP_WAIT_MS = 1000;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel listener;
  /** The --vosk-port listener, or null. */
  private final Channel voskListener;
  /** HAProxy's agent check, or null without --agent-port. */
  private final Channel agentListener;
  private final ConcurrencyController controller;
  private final ServerConfig config;
  private final HarkMetrics metrics;
  private volatile AsrEngine engine;
  private volatile DecodeScheduler scheduler;
  private volatile RecognizerLoad load;
  private final ChannelGroup sessions = new DefaultChannelGroup("hark-sessions", GlobalEventExecutor.INSTANCE);
  private final ResumableSessions resumables;

  private HarkServer(ServerConfig config, HarkMetrics metrics) throws InterruptedException {
    requireAuthOffLoopback(config);
    if (config.recordDir() != null) {
      try {
        Files.createDirectories(config.recordDir());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot use --record " + config.recordDir() + ": " + e, e);
      }
    }
    this.config = config;
    this.metrics = metrics;
    this.controller = new ConcurrencyController(config.ingest(), LoadSettings.of(config.asr().shed(),
        config.asr().workers(), config.asr().shedLagMs(), config.asr().turnMs(), config.ingest().shedHold()), metrics);
    this.resumables = new ResumableSessions(config.resumeWindow().toNanos(), metrics);
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerSocketChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    boss = new MultiThreadIoEventLoopGroup(1, io);
    workers = new MultiThreadIoEventLoopGroup(config.eventLoops(), io);
    Recognition recognition = (audio, replies) -> scheduler.start(audio, new TranscriptListener() {
      @Override
      public void onResult(String text, boolean isFinal, long startMs, long endMs, List<Word> words) {
        replies.send(new ServerMessage.Transcript(audio.source(), text, isFinal, startMs, endMs, words));
      }

      @Override
      public void flushed() {
        replies.send(new ServerMessage.Flushed(audio.source()));
      }
    });
    try {
      ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers).channel(type)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
      ConnectionPipeline pipeline = new ConnectionPipeline(config, controller, metrics, recognition, sessions,
          resumables, this::capacityJson);
      listener = bootstrap.clone().childHandler(pipeline).bind(config.host(), config.port()).sync().channel();
      // vosk-server's clients connect to a root URL: on a port of its own, every path speaks its protocol.
      voskListener = config.voskPort() < 0 ? null : bootstrap.clone()
          .childHandler(pipeline.speakingVoskEverywhere())
          .bind(config.host(), config.voskPort()).sync().channel();
      agentListener = config.agentPort() < 0 ? null : new ServerBootstrap().group(boss, workers).channel(type)
          .childHandler(new AgentCheck(() -> AgentCheck.report(controller.admission(),
              controller.ledger(), config.ingest().maxSessions())))
          .bind(config.host(), config.agentPort()).sync().channel();
    } catch (RuntimeException | InterruptedException e) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      throw e;
    }
    log.info("Hark listening on {}://{}:{}{} (transport: {}); loading the recognizer", config.tls() ? "wss" : "ws",
        config.host(), port(), HttpRoutes.WS_PATH, epoll ? "epoll" : "nio");
    if (voskListener != null) {
      log.info("vosk-server's protocol on every path of port {}", voskPort());
    }
  }

  /** Without tokens, only this machine may connect, unless the operator says something else guards the door. */
  private static void requireAuthOffLoopback(ServerConfig config) {
    boolean loopback;
    try {
      loopback = InetAddress.getByName(config.host()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve --host " + config.host(), e);
    }
    if (!loopback && config.access().tokenFile() == null && !config.access().insecurePublic()) {
      throw new IllegalArgumentException("refusing to listen on " + config.host() + " without --auth-token-file: "
          + "anyone who reaches it could stream audio; give tokens, or --insecure-public if a proxy in front "
          + "authenticates");
    }
  }

  /** Starts a server with a ready engine; it takes sessions when this returns. */
  public static HarkServer start(ServerConfig config, AsrEngine engine, HarkMetrics metrics) throws Exception {
    return start(config, () -> engine, metrics);
  }

  /**
   * Starts listening at once ({@code /healthz} answers, {@code /readyz} says "starting"), then loads the engine
   * and takes sessions when this returns. If loading fails the server is closed and the failure thrown.
   */
  public static HarkServer start(ServerConfig config, Callable<AsrEngine> loader, HarkMetrics metrics)
      throws Exception {
    HarkServer server = new HarkServer(config, metrics);
    try {
      server.engine = loader.call();
      server.scheduler = new DecodeScheduler(server.engine, config.asr(), metrics);
      server.warmUp();
      server.scheduler.reportLoad(server::recognizerLoad, LOAD_INTERVAL_MS);
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
    server.controller.admission().markLoaded();
    log.info("Hark ready (recognizer: {})", server.engine.name());
    return server;
  }

  /**
   * Tells the ledger what the engine expects a stream to cost, and warms as many recognizers as the capacity can
   * carry streams, so the first burst after a start costs what a later one does.
   */
  private void warmUp() {
    DecodeLedger ledger = controller.ledger();
    ledger.expect(engine.expectedRtf(), engine.expectedColdRtf());
    if (ledger.warmPrior() <= 0 || engine.warmUpSpeech() == null) {
      return;
    }
    long t0 = System.nanoTime();
    int want = (int) Math.ceil((double) ledger.capacity() / ledger.warmPrior());
    int warmed = scheduler.warmUp(engine, want, WARM_UP_WAIT_MS);
    ledger.warmSpares(warmed);
    log.info("{} of {} recognizers warmed in {} ms{}", warmed, want, (System.nanoTime() - t0) / 1_000_000,
        warmed < want ? " (no more within the time allowed; new streams beyond them reserve the cold prior)" : "");
  }

  /** The agent check's port, or -1 without one. */
  public int agentPort() {
    return agentListener == null ? -1 : ((InetSocketAddress) agentListener.localAddress()).getPort();
  }

  /** The --vosk-port listener's port, or -1 if there is none. */
  public int voskPort() {
    return voskListener == null ? -1 : ((InetSocketAddress) voskListener.localAddress()).getPort();
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  public ConcurrencyController controller() {
    return controller;
  }

  public HarkMetrics metrics() {
    return metrics;
  }

  /**
   * Graceful stop (SIGTERM): {@code /readyz} answers 503 and upgrades are refused at once; every session is told
   * {@code closing} and its queued audio has up to the drain timeout to reach the recognizer, whose final
   * transcripts and {@code stopped} are sent before the socket closes with 1001; then {@link #close()}.
   */
  public void shutdown() {
    controller.admission().stopAdmitting();
    long drain = config.drainTimeout().toNanos();
    log.info("draining {} session(s) for up to {} ms", sessions.size(), drain / 1_000_000);
    for (Channel ch : sessions) {
      SessionState s = SessionHandler.session(ch);
      if (s != null) {
        s.onOwnThread(() -> s.endByServer("shutdown", drain)); // a resumed session's thread is not ch's
      }
    }
    resumables.endAll(); // nobody is connected to tell closing
    // Each session closes itself once drained, or at its drain deadline; a second more covers the close handshake.
    sessions.newCloseFuture().awaitUninterruptibly(drain + 1_000_000_000L, TimeUnit.NANOSECONDS);
    close();
  }

  /** The scheduler's measurement, handed to the controller, which decides what to do about it. */
  private void recognizerLoad(RecognizerLoad l) {
    load = l;
    controller.recognizerLoad(l);
  }

  /** What {@code /capacity} answers: the recognizer's headroom, for a balancer to poll. */
  byte[] capacityJson() {
    RecognizerLoad l = load;
    DecodeLedger ledger = controller.ledger();
    StringBuilder b = new StringBuilder("{");
    b.append("\"capacity_cores\":").append(cores(ledger.capacity()))
        .append(",\"reserved_cores\":").append(cores(ledger.reserved()))
        .append(",\"prior_cores\":").append(cores(ledger.prior()))
        .append(",\"headroom_percent\":").append(AgentCheck.headroomPercent(ledger)).append(',');
    if (l != null) {
      b.append("\"decoding_threads\":").append(l.threads())
          .append(",\"utilisation\":").append(Math.round(l.utilisation() * 100) / 100.0)
          .append(",\"max_decode_lag_ms\":").append(l.maxLagMs())
          .append(",\"streams\":").append(l.streams()).append(',');
    }
    b.append("\"sessions\":").append(controller.admission().active())
        .append(",\"at_capacity\":").append(controller.admission().atCapacity())
        .append(",\"accepting_sessions\":").append(controller.admission().accepting()).append("}\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static double cores(long units) {
    return Math.round(units * 1000.0 / DecodeLedger.CORE) / 1000.0;
  }

  /** Stops listening, closes every connection and the recognizer at once. */
  @Override
  public void close() {
    controller.admission().stopAdmitting();
    listener.close().syncUninterruptibly();
    if (agentListener != null) {
      agentListener.close().syncUninterruptibly();
    }
    if (voskListener != null) {
      voskListener.close().syncUninterruptibly();
    }
    resumables.endAll();
    sessions.writeAndFlush(new CloseWebSocketFrame(CloseCode.GOING_AWAY, "server shutting down"))
        .awaitUninterruptibly(2, TimeUnit.SECONDS);
    sessions.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    if (scheduler != null) {
      scheduler.close();
    }
    // A thread written off as hung may still be inside the model: the process's end frees it instead.
    if (engine != null && (scheduler == null || !scheduler.anyWrittenOff())) {
      engine.close();
    }
    log.info("Hark stopped");
  }
}
