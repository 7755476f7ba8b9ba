package dev.hark.server;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checks a WebSocket upgrade passes before it may take a session slot: its browser origin, its token, and its
 * address's share of sessions. Refusals are answers, not exceptions; none of them ever carries the token.
 */
final class Admission {
  /** The subprotocol prefix that carries a token for browsers, which cannot set headers on a WebSocket. */
  static final String TOKEN_PROTOCOL_PREFIX = "hark.token.";
  /** The subprotocol the server answers with when a browser sent one. */
  static final String SUBPROTOCOL = "hark";
  /** OpenAI's browser clients carry their key as a subprotocol with this prefix, beside {@code realtime}. */
  static final String OPENAI_KEY_PREFIX = "openai-insecure-api-key.";
  /**
   * The subprotocols a handshake may answer: Hark's, Deepgram's ({@code token} or {@code bearer}, followed by the
   * key as a second entry) and OpenAI's ({@code realtime}).
   */
  static final String SUBPROTOCOLS = SUBPROTOCOL + ",token,bearer,realtime";

  /** What an upgrade is told. */
  sealed interface Verdict {}

  /** Let through; {@code release} must run when the connection ends. */
  record Admitted(Runnable release) implements Verdict {}

  /** Refused before the upgrade with an HTTP status; {@code reason} is the metric label. */
  record Refused(HttpResponseStatus status, String reason, String message) implements Verdict {}

  private final AccessSettings settings;
  private final TokenFile tokens;
  private final ConcurrentHashMap<InetAddress, Integer> perIp = new ConcurrentHashMap<>();

  Admission(AccessSettings settings) {
    this.settings = settings;
    this.tokens = settings.tokenFile() == null ? null : new TokenFile(settings.tokenFile());
  }

  Verdict check(FullHttpRequest req, RequestTarget.Parsed target, InetAddress client) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !settings.allowedOrigins().isEmpty() && !settings.allowedOrigins().contains(origin)) {
      return new Refused(HttpResponseStatus.FORBIDDEN, "origin", "this page's origin is not in --allowed-origins");
    }
    if (tokens != null && !tokens.accepts(token(req.headers(), target))) {
      return new Refused(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
          "a valid token is required: Authorization: Bearer (or Token), ?token= or the hark.token. subprotocol");
    }
    int[] now = new int[1];
    perIp.compute(client, (k, n) -> {
      now[0] = n == null ? 1 : n + 1;
      return now[0] > settings.maxSessionsPerIp() ? n : Integer.valueOf(now[0]);
    });
    if (now[0] > settings.maxSessionsPerIp()) {
      return new Refused(HttpResponseStatus.TOO_MANY_REQUESTS, "per_ip",
          "at most " + settings.maxSessionsPerIp() + " sessions from one address");
    }
    return new Admitted(() -> perIp.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1));
  }

  /**
   * The token from the header ({@code Bearer}, or Deepgram's {@code Token}), the query or the subprotocol list
   * (Hark's {@code hark.token.}, OpenAI's {@code openai-insecure-api-key.}, Deepgram's {@code token, KEY}), in that
   * order; null if none.
   */
  static String token(HttpHeaders headers, RequestTarget.Parsed target) {
    String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).strip();
    }
    if (auth != null && auth.regionMatches(true, 0, "Token ", 0, 6)) {
      return auth.substring(6).strip();
    }
    String q = target.param("token");
    if (q != null) {
      return q;
    }
    String protocols = headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (protocols != null) {
      String[] list = protocols.split(",", -1);
      for (int i = 0; i < list.length; i++) {
        String s = list[i].strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith(TOKEN_PROTOCOL_PREFIX)) {
          return s.substring(TOKEN_PROTOCOL_PREFIX.length());
        }
        if (lower.startsWith(OPENAI_KEY_PREFIX)) {
          return s.substring(OPENAI_KEY_PREFIX.length());
        }
        if ((lower.equals("token") || lower.equals("bearer")) && i + 1 < list.length) {
          return list[i + 1].strip();
        }
      }
    }
    return null;
  }
}
