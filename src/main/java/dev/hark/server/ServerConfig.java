package dev.hark.server;

import dev.hark.ingest.IngestSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link HarkServer} listens, whom it lets in, and how long it lets them stay.
 *
 * @param host the address to bind
 * @param port the port, or 0 for any free one
 * @param maxMessageBytes the largest WebSocket message; larger ones close the connection with 1009
 * @param eventLoops Netty threads serving sockets
 * @param ingest the queue, budget and session limits
 * @param idleTimeout how long a connection may send nothing (no audio, no ping) before it is closed with 1001
 * @param access auth, origins and the per-address session limit
 * @param maxSessionDuration how long one session may last before the server ends it as if it had sent stop
 * @param maxMessagesPerSecond messages one session may send a second (a one-second burst allowed); excess dropped
 * @param drainTimeout on shutdown, how long queued audio may take to reach the recognizer before sockets close
 * @param recordDir where every accepted chunk is written as WAV, or null to record nothing
 * @param requestTimeout how long one HTTP request (an upgrade included) may take to arrive whole
 */
public record ServerConfig(String host, int port, int maxMessageBytes, int eventLoops, IngestSettings ingest,
    Duration idleTimeout, AccessSettings access, Duration maxSessionDuration, int maxMessagesPerSecond,
    Duration drainTimeout, Path recordDir, Duration requestTimeout) {
  public static ServerConfig defaults() {
    return new ServerConfig("127.0.0.1", 8080, 256 * 1024, Runtime.getRuntime().availableProcessors(),
        IngestSettings.defaults(), Duration.ofSeconds(60), AccessSettings.defaults(), Duration.ofHours(4), 500,
        Duration.ofSeconds(10), null, Duration.ofSeconds(10));
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(h, port, maxMessageBytes, eventLoops, ingest, idleTimeout, access, maxSessionDuration,
        maxMessagesPerSecond, drainTimeout, recordDir, requestTimeout);
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, maxMessageBytes, eventLoops, ingest, idleTimeout, access, maxSessionDuration,
        maxMessagesPerSecond, drainTimeout, recordDir, requestTimeout);
  }

  public ServerConfig withMaxMessageBytes(int n) {
    return new ServerConfig(host, port, n, eventLoops, ingest, idleTimeout, access, maxSessionDuration,
        maxMessagesPerSecond, drainTimeout, recordDir, requestTimeout);
  }

  public ServerConfig withIngest(IngestSettings i) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, i, idleTimeout, access, maxSessionDuration,
        maxMessagesPerSecond, drainTimeout, recordDir, requestTimeout);
  }

  public ServerConfig withIdleTimeout(Duration d) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, ingest, d, access, maxSessionDuration,
        maxMessagesPerSecond, drainTimeout, recordDir, requestTimeout);
  }

  public ServerConfig withAccess(AccessSettings a) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, ingest, idleTimeout, a, maxSessionDuration,
        maxMessagesPerSecond, drainTimeout, recordDir, requestTimeout);
  }

  /** Session limits: the longest session and the most messages a second. */
  public ServerConfig withSessionLimits(Duration maxDuration, int messagesPerSecond) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, ingest, idleTimeout, access, maxDuration,
        messagesPerSecond, drainTimeout, recordDir, requestTimeout);
  }

  public ServerConfig withDrainTimeout(Duration d) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, ingest, idleTimeout, access, maxSessionDuration,
        maxMessagesPerSecond, d, recordDir, requestTimeout);
  }

  public ServerConfig withRecordDir(Path dir) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, ingest, idleTimeout, access, maxSessionDuration,
        maxMessagesPerSecond, drainTimeout, dir, requestTimeout);
  }

  public ServerConfig withRequestTimeout(Duration d) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, ingest, idleTimeout, access, maxSessionDuration,
        maxMessagesPerSecond, drainTimeout, recordDir, d);
  }
}
