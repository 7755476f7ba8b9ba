package dev.hark.cli;

import java.net.URI;
import picocli.CommandLine.Option;

/** The server a client command talks to, shared by {@code hark stream} and {@code hark bench} (a picocli mixin). */
final class ServerOptions {
  @Option(names = "--url", defaultValue = "ws://127.0.0.1:8080/ws/live", paramLabel = "URL",
      description = "The server's WebSocket endpoint (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--token", defaultValue = "${env:HARK_TOKEN}", paramLabel = "TOKEN",
      description = "Sent as Authorization: Bearer, for servers with --auth-token-file (default: $HARK_TOKEN).")
  String token;

  /** The token given, or null if none. */
  String token() {
    return token == null || token.isBlank() ? null : token.strip();
  }
}
