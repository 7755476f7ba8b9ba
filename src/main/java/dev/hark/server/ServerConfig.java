package dev.hark.server;

import dev.hark.asr.AsrSettings;
import dev.hark.ingest.IngestSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * How a {@link HarkServer} listens, whom it lets in, and how long it lets them stay.
 *
 * @param host the address to bind
 * @param port the port, or 0 for any free one
 * @param maxMessageBytes the largest WebSocket message; larger ones close the connection with 1009
 * @param eventLoops Netty threads serving sockets
 * @param ingest the queue, budget and session limits
 * @param idleTimeout how long a connection may send nothing (not a byte) before it is closed (1001 for a session)
 * @param access auth, origins and the per-address session limit
 * @param maxSessionDuration how long one session may last before the server ends it as if it had sent stop
 * @param maxMessagesPerSecond messages one session may send a second (a one-second burst allowed); excess dropped
 * @param drainTimeout on shutdown, how long queued audio may take to reach the recognizer before sockets close
 * @param recordDir where every accepted chunk is written as WAV, or null to record nothing
 * @param requestTimeout how long one HTTP request (an upgrade included) may take to arrive whole
 * @param asr the decoding threads and their stall timeout (and what engines are loaded with)
 * @param tlsCert the PEM certificate chain to serve TLS with (wss://, https://), or null for plain connections
 * @param tlsKey the PEM (PKCS#8) private key of {@code tlsCert}, or null
 * @param voskPort a second port whose every path speaks vosk-server's protocol (0 for any free one), or -1 for none
 * @param resumeWindow how long a session whose connection was lost waits to be resumed (zero: not at all)
 * @param agentPort a port answering HAProxy's agent check with this node's weight or {@code drain} (0 for any free
 *     one), or -1 for none
 * @param nodeName this server's name, the first part of every session id it makes (so a balancer can route a
 *     resume back to it)
 */
public record ServerConfig(String host, int port, int maxMessageBytes, int eventLoops, IngestSettings ingest,
    Duration idleTimeout, AccessSettings access, Duration maxSessionDuration, int maxMessagesPerSecond,
    Duration drainTimeout, Path recordDir, Duration requestTimeout, AsrSettings asr, Path tlsCert, Path tlsKey,
    int voskPort, Duration resumeWindow, String nodeName, int agentPort) {
  public ServerConfig {
    if (!NodeName.isValid(nodeName)) {
      throw new IllegalArgumentException(NodeName.RULE + ", got \"" + nodeName + "\"");
    }
  }

  /** Whether connections are served over TLS. */
  public boolean tls() {
    return tlsCert != null;
  }

  public static ServerConfig defaults() {
    return new ServerConfig("127.0.0.1", 8080, 256 * 1024, Runtime.getRuntime().availableProcessors(),
        IngestSettings.defaults(), Duration.ofSeconds(60), AccessSettings.defaults(), Duration.ofHours(4), 500,
        Duration.ofSeconds(10), null, Duration.ofSeconds(10), AsrSettings.defaults(), null, null, -1,
        Duration.ofSeconds(30), NodeName.defaultName(), -1);
  }

  public ServerConfig withHost(String h) {
    return with(c -> c.host = h);
  }

  public ServerConfig withPort(int p) {
    return with(c -> c.port = p);
  }

  public ServerConfig withMaxMessageBytes(int n) {
    return with(c -> c.maxMessageBytes = n);
  }

  public ServerConfig withIngest(IngestSettings i) {
    return with(c -> c.ingest = i);
  }

  public ServerConfig withIdleTimeout(Duration d) {
    return with(c -> c.idleTimeout = d);
  }

  public ServerConfig withAccess(AccessSettings a) {
    return with(c -> c.access = a);
  }

  /** Session limits: the longest session and the most messages a second. */
  public ServerConfig withSessionLimits(Duration maxDuration, int messagesPerSecond) {
    return with(c -> {
      c.maxSessionDuration = maxDuration;
      c.maxMessagesPerSecond = messagesPerSecond;
    });
  }

  public ServerConfig withDrainTimeout(Duration d) {
    return with(c -> c.drainTimeout = d);
  }

  public ServerConfig withRecordDir(Path dir) {
    return with(c -> c.recordDir = dir);
  }

  public ServerConfig withRequestTimeout(Duration d) {
    return with(c -> c.requestTimeout = d);
  }

  public ServerConfig withAsr(AsrSettings a) {
    return with(c -> c.asr = a);
  }

  /** The defaults, changed by {@code setup}: {@code ServerConfig.create(c -> { c.port = 0; c.recordDir = dir; })}. */
  public static ServerConfig create(Consumer<Builder> setup) {
    return defaults().with(setup);
  }

  /** This configuration, changed by {@code change} (each field it leaves alone stays as it is). */
  public ServerConfig with(Consumer<Builder> change) {
    Builder c = new Builder(this);
    change.accept(c);
    return c.build();
  }

  /** The fields of a configuration, set by name in {@link #create} and {@link #with}; see the record's for each. */
  public static final class Builder {
    public String host;
    public int port;
    public int maxMessageBytes;
    public int eventLoops;
    public IngestSettings ingest;
    public Duration idleTimeout;
    public AccessSettings access;
    public Duration maxSessionDuration;
    public int maxMessagesPerSecond;
    public Duration drainTimeout;
    public Path recordDir;
    public Path tlsCert;
    public Path tlsKey;
    public int voskPort;
    public Duration requestTimeout;
    public AsrSettings asr;
    public Duration resumeWindow;
    public String nodeName;
    public int agentPort;

    private Builder(ServerConfig s) {
      host = s.host;
      port = s.port;
      maxMessageBytes = s.maxMessageBytes;
      eventLoops = s.eventLoops;
      ingest = s.ingest;
      idleTimeout = s.idleTimeout;
      access = s.access;
      maxSessionDuration = s.maxSessionDuration;
      maxMessagesPerSecond = s.maxMessagesPerSecond;
      drainTimeout = s.drainTimeout;
      recordDir = s.recordDir;
      tlsCert = s.tlsCert;
      tlsKey = s.tlsKey;
      voskPort = s.voskPort;
      requestTimeout = s.requestTimeout;
      asr = s.asr;
      resumeWindow = s.resumeWindow;
      nodeName = s.nodeName;
      agentPort = s.agentPort;
    }

    private ServerConfig build() {
      return new ServerConfig(host, port, maxMessageBytes, eventLoops, ingest, idleTimeout, access,
          maxSessionDuration, maxMessagesPerSecond, drainTimeout, recordDir, requestTimeout, asr,
          tlsCert, tlsKey, voskPort, resumeWindow, nodeName, agentPort);
    }
  }
}
