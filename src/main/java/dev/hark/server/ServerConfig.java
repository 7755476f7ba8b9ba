package dev.hark.server;

import dev.hark.ingest.IngestSettings;
import java.time.Duration;

/**
 * How a {@link HarkServer} listens.
 *
 * @param host the address to bind
 * @param port the port, or 0 for any free one
 * @param maxMessageBytes the largest WebSocket message; larger ones close the connection with 1009
 * @param eventLoops Netty threads serving sockets
 * @param ingest the queue, budget and session limits
 * @param idleTimeout how long a connection may send nothing (no audio, no ping) before it is closed with 1001
 */
public record ServerConfig(String host, int port, int maxMessageBytes, int eventLoops, IngestSettings ingest,
    Duration idleTimeout) {
  public static ServerConfig defaults() {
    return new ServerConfig("127.0.0.1", 8080, 256 * 1024, Runtime.getRuntime().availableProcessors(),
        IngestSettings.defaults(), Duration.ofSeconds(60));
  }

  public ServerConfig withIdleTimeout(Duration d) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, ingest, d);
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, maxMessageBytes, eventLoops, ingest, idleTimeout);
  }

  public ServerConfig withIngest(IngestSettings i) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, i, idleTimeout);
  }

  public ServerConfig withMaxMessageBytes(int n) {
    return new ServerConfig(host, port, n, eventLoops, ingest, idleTimeout);
  }
}
