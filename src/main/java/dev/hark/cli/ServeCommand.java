package dev.hark.cli;

import dev.hark.asr.AsrEngines;
import dev.hark.asr.AsrSettings;
import dev.hark.ingest.IngestSettings;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.server.AccessSettings;
import dev.hark.server.HarkServer;
import dev.hark.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hark serve}: runs the gateway until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the gateway: WebSocket /ws/live (and vosk-server's /vosk, Deepgram's /v1/listen, OpenAI's",
        "/v1/realtime), /healthz, /readyz, /capacity, /metrics."})
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "Address to bind "
      + "(default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "Port to listen on, 0 for any "
      + "(default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--asr", defaultValue = "vosk", paramLabel = "ENGINE",
      description = "Recognizer: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      completionCandidates = EngineNames.class)
  String asr;

  @Option(names = "--asr-model", paramLabel = "DIR",
      description = "A Vosk model directory (default: the small US English model built in).")
  Path asrModel;

  @Option(names = "--asr-workers", paramLabel = "N",
      description = "Decoding threads: streams decoded at once, each in turns of 200 ms of audio (default: number "
          + "of cores).")
  Integer asrWorkers;

  @Option(names = "--asr-spare-recognizers", paramLabel = "N",
      description = "Recognizers kept, reset, for the next streams when theirs end; a warm one decodes 2-4x cheaper "
          + "than a new one. "
          + "A spare unused for 60 s is closed (default: 4 per decoding thread; 0 closes each at its stream's end).")
  Integer asrSpares;

  @Option(names = "--asr-stall-timeout-ms", defaultValue = "10000", paramLabel = "MS",
      description = "A decoding turn that takes longer is taken as hung: its stream fails, its thread is replaced "
          + "(default: ${DEFAULT-VALUE}).")
  long asrStallMs;

  @Option(names = "--asr-shed-lag-ms", defaultValue = "500", paramLabel = "MS",
      description = "With the decoding threads saturated, a decode lag past this puts the recognizer at capacity: "
          + "new sessions get 503 and whole sources are shed, lowest priority then newest first (default: "
              + "${DEFAULT-VALUE}).")
  int asrShedLagMs;

  @Option(names = "--no-asr-shed",
      description = "No recognizer capacity control: past capacity no session is refused and no source shed, so "
          + "every stream lags and drops alike (vosk-server's design; for comparison).")
  boolean noAsrShed;

  @Option(names = "--none-rtf", defaultValue = "0", paramLabel = "X",
      description = "With --asr none: seconds of work per second of audio, e.g. 1.0 = exactly real time (default: "
          + "${DEFAULT-VALUE}).")
  double noneRtf;

  @Option(names = "--queue-max", defaultValue = "48", paramLabel = "CHUNKS",
      description = "Chunks each source queue holds (default: ${DEFAULT-VALUE}).")
  int queueMax;

  @Option(names = "--queue-max-ms", defaultValue = "0", paramLabel = "MS",
      description = "Also bound each source queue by milliseconds of audio; 0 = chunk bound only (default: "
          + "${DEFAULT-VALUE}).")
  int queueMaxMs;

  @Option(names = "--overflow", defaultValue = "drop_oldest", paramLabel = "POLICY",
      description = "Policy for sessions that name none: drop_oldest, drop_newest or block (default: "
          + "${DEFAULT-VALUE}).")
  String overflow;

  @Option(names = "--max-sources", defaultValue = "4", paramLabel = "N", description = "Sources per session "
      + "(default: ${DEFAULT-VALUE}).")
  int maxSources;

  @Option(names = "--max-sessions", defaultValue = "2000", paramLabel = "N", description = "Concurrent sessions "
      + "(default: ${DEFAULT-VALUE}).")
  int maxSessions;

  @Option(names = "--max-buffered-mb", defaultValue = "64", paramLabel = "MB",
      description = "Global budget of queued audio over all sessions; past it sources are shed (default: "
          + "${DEFAULT-VALUE}).")
  double maxBufferedMb;

  @Option(names = "--max-message-kb", defaultValue = "256", paramLabel = "KB",
      description = "Largest WebSocket message; larger ones close the connection with 1009 (default: "
          + "${DEFAULT-VALUE}).")
  int maxMessageKb;

  @Option(names = "--idle-timeout-s", defaultValue = "60", paramLabel = "S",
      description = "Close a connection that sends nothing (no audio, no ping) for this long, with 1001 "
          + "(default: ${DEFAULT-VALUE}).")
  long idleTimeoutS;

  @Option(names = "--shed-hold-ms", defaultValue = "2000", paramLabel = "MS",
      description = "Least time a shed source stays shed (default: ${DEFAULT-VALUE}).")
  long shedHoldMs;

  @Option(names = "--auth-token-file", paramLabel = "FILE",
      description = "Tokens, one per line, re-read when the file changes; upgrades need one (default: no auth, "
          + "loopback only).")
  Path authTokenFile;

  @Option(names = "--allowed-origins", split = ",", paramLabel = "ORIGIN",
      description = "Browser origins allowed to connect, comma-separated, e.g. https://app.example (default: any).")
  List<String> allowedOrigins = new ArrayList<>();

  @Option(names = "--max-sessions-per-ip", defaultValue = "64", paramLabel = "N",
      description = "Concurrent sessions from one client address; more get 429 (default: ${DEFAULT-VALUE}).")
  int maxSessionsPerIp;

  @Option(names = "--request-timeout-s", defaultValue = "10", paramLabel = "S",
      description = "A whole HTTP request (the upgrade included) must arrive within this (default: ${DEFAULT-VALUE}).")
  long requestTimeoutS;

  @Option(names = "--insecure-public", description = "Allow a non-loopback --host without --auth-token-file.")
  boolean insecurePublic;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = {"Serve TLS (wss://, https://) with this certificate"
      + " chain; re-read when it or the key changes."})
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "The private key (PKCS#8 PEM) of --tls-cert.")
  Path tlsKey;

  @Option(names = "--vosk-port", paramLabel = "PORT", description = {"Also listen on this port, where every path speaks"
      + " vosk-server's protocol (its clients connect to a root URL; vosk-server's own default is 2700)."})
  Integer voskPort;

  @Option(names = "--resume-window-s", defaultValue = "30", paramLabel = "S",
      description = {"How long a session whose connection was lost without stop waits to be resumed, its queues and "
          + "recognizers going on; 0 turns resuming off (default: ${DEFAULT-VALUE})."})
  long resumeWindowS;

  @Option(names = "--node-name", paramLabel = "NAME", description = {"This server's name in a cluster: the first "
      + "part of its session ids, so a balancer can route a resume (?resume=SESSION_ID) back to it (1-32 of a-z, 0-9,"
      + " -; default: the host name)."})
  String nodeName;

  @Option(names = "--agent-port", paramLabel = "PORT", description = {"Answer HAProxy's agent check on this port: "
      + "'ready up N%%' with N the free recognizer capacity, or 'drain' while no session is taken."})
  Integer agentPort;

  @Option(names = "--max-session-s", defaultValue = "14400", paramLabel = "S",
      description = "Longest session; then the server stops it as if the client had sent stop (default: "
          + "${DEFAULT-VALUE}).")
  long maxSessionS;

  @Option(names = "--max-messages-per-s", defaultValue = "500", paramLabel = "N",
      description = "Messages one session may send a second; the excess is dropped with rate_limited (default: "
          + "${DEFAULT-VALUE}).")
  int maxMessagesPerS;

  @Option(names = "--drain-timeout-s", defaultValue = "10", paramLabel = "S",
      description = "On SIGTERM, time for queued audio to reach the recognizer before sockets close (default: "
          + "${DEFAULT-VALUE}).")
  long drainTimeoutS;

  @Option(names = "--record", paramLabel = "DIR",
      description = "Append every accepted chunk to DIR/<session>-<source>.wav before any queue can drop it.")
  Path recordDir;

  @Option(names = "--event-loops", paramLabel = "N", description = "Netty I/O threads (default: number of cores).")
  Integer eventLoops;

  @Override
  public Integer call() throws Exception {
    OverflowPolicy policy = OverflowPolicy.fromWire(overflow);
    if (policy == null) {
      return fail("--overflow must be drop_oldest, drop_newest or block, got " + overflow);
    }
    if (queueMax < 1 || queueMaxMs < 0 || maxSources < 1 || maxSources > 255 || maxSessions < 1
        || maxBufferedMb <= 0 || maxMessageKb < 1 || shedHoldMs < 0 || idleTimeoutS < 1 || maxSessionsPerIp < 1
        || maxSessionS < 1 || maxMessagesPerS < 1 || drainTimeoutS < 0 || requestTimeoutS < 1) {
      return fail("limits must be positive (and --max-sources at most 255)");
    }
    IngestSettings defaults = IngestSettings.defaults();
    IngestSettings ingest = new IngestSettings(queueMax, queueMaxMs, maxSources, defaults.sampleRate(), policy,
        (long) (maxBufferedMb * 1024 * 1024), maxSessions, defaults.statusInterval(), Duration.ofMillis(shedHoldMs),
        defaults.shedInterval());
    if (!AsrEngines.names().contains(asr)) {
      return fail("no recognizer called \"" + asr + "\"; known: " + String.join(", ", AsrEngines.names()));
    }
    int workers = asrWorkers == null ? AsrSettings.defaults().workers() : asrWorkers;
    AsrSettings asrSettings = new AsrSettings(workers, noneRtf, Duration.ofMillis(asrStallMs), asrModel,
        AsrSettings.TURN_MS, asrShedLagMs, !noAsrShed, asrSpares == null ? AsrSettings.defaultSpares(workers)
            : asrSpares);
    if (workers < 1 || asrStallMs < 1 || noneRtf < 0 || asrShedLagMs < 1 || asrSettings.spareRecognizers() < 0) {
      return fail("--asr-workers, --asr-stall-timeout-ms and --asr-shed-lag-ms must be positive, --none-rtf and"
          + " --asr-spare-recognizers at least 0");
    }
    if (asrModel != null && !Files.isDirectory(asrModel)) {
      return fail("--asr-model " + asrModel + " is not a directory");
    }
    if (voskPort != null && (voskPort < 0 || voskPort > 65535 || (voskPort == port && port != 0))) {
      return fail("--vosk-port must be a port from 0 to 65535 other than --port");
    }
    if (agentPort != null && (agentPort < 0 || agentPort > 65535)) {
      return fail("--agent-port must be a port from 0 to 65535");
    }
    if (resumeWindowS < 0) {
      return fail("--resume-window-s must be 0 or more");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      return fail("--tls-cert and --tls-key go together");
    }
    ServerConfig config;
    try {
      config = ServerConfig.create(c -> {
        c.host = host;
        c.port = port;
        c.maxMessageBytes = maxMessageKb * 1024;
        if (eventLoops != null) {
          c.eventLoops = eventLoops;
        }
        c.ingest = ingest;
        c.idleTimeout = Duration.ofSeconds(idleTimeoutS);
        c.access = new AccessSettings(authTokenFile, allowedOrigins, maxSessionsPerIp, insecurePublic);
        c.maxSessionDuration = Duration.ofSeconds(maxSessionS);
        c.maxMessagesPerSecond = maxMessagesPerS;
        c.drainTimeout = Duration.ofSeconds(drainTimeoutS);
        c.recordDir = recordDir;
        c.requestTimeout = Duration.ofSeconds(requestTimeoutS);
        c.asr = asrSettings;
        c.tlsCert = tlsCert;
        c.tlsKey = tlsKey;
        c.voskPort = voskPort == null ? -1 : voskPort;
        c.resumeWindow = Duration.ofSeconds(resumeWindowS);
        c.agentPort = agentPort == null ? -1 : agentPort;
        if (nodeName != null) {
          c.nodeName = nodeName;
        }
      });
    } catch (IllegalArgumentException e) {
      return fail(e.getMessage()); // a --node-name that is not a valid one
    }
    HarkMetrics metrics = new HarkMetrics();
    HarkServer server;
    try {
      server = HarkServer.start(config, () -> AsrEngines.create(asr, asrSettings, metrics), metrics);
    } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
      return fail(e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      stopped.countDown();
    }, "hark-shutdown"));
    stopped.await();
    return 0;
  }

  private static int fail(String message) {
    System.err.println("hark serve: " + message);
    return 2;
  }

  /** The engine names for {@code --help}. */
  static final class EngineNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return AsrEngines.names().iterator();
    }
  }
}
