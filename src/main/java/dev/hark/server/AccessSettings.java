package dev.hark.server;

import java.nio.file.Path;
import java.util.List;

/**
 * Who may open a session.
 *
 * @param tokenFile bearer tokens, one per line, or null for no auth (then only loopback unless insecurePublic)
 * @param allowedOrigins the browser origins allowed (e.g. {@code https://app.example}); empty allows any. Requests
 *     without an {@code Origin} header (non-browser clients) are not affected
 * @param maxSessionsPerIp concurrent sessions from one client address
 * @param insecurePublic allow binding a non-loopback address without auth
 */
public record AccessSettings(Path tokenFile, List<String> allowedOrigins, int maxSessionsPerIp,
    boolean insecurePublic) {
  public AccessSettings {
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  public static AccessSettings defaults() {
    return new AccessSettings(null, List.of(), 64, false);
  }
}
