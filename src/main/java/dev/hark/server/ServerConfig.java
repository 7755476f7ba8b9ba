package dev.hark.server;

import dev.hark.ingest.IngestSettings;

/**
 * How a {@link HarkServer} listens.
 *
 * @param host the address to bind
 * @param port the port, or 0 for any free one
 * @param maxMessageBytes the largest WebSocket message; larger ones close the connection with 1009
 * @param eventLoops Netty threads serving sockets
 * @param ingest the queue, budget and session limits
 */
public record ServerConfig(String host, int port, int maxMessageBytes, int eventLoops, IngestSettings ingest) {
  public static ServerConfig defaults() {
    return new ServerConfig("127.0.0.1", 8080, 256 * 1024, Runtime.getRuntime().availableProcessors(),
        IngestSettings.defaults());
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, maxMessageBytes, eventLoops, ingest);
  }

  public ServerConfig withIngest(IngestSettings i) {
    return new ServerConfig(host, port, maxMessageBytes, eventLoops, i);
  }

  public ServerConfig withMaxMessageBytes(int n) {
    return new ServerConfig(host, port, n, eventLoops, ingest);
  }
}
