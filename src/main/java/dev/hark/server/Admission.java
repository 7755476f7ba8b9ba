package dev.hark.server;

import dev.hark.ingest.SessionState;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.CloseCode;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;

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

  /**
   * Let through on one of the address's slots ({@code slot}), or, for a resume from the address a waiting session
   * counts against, on that session's ({@code claimed}: see {@link AddressShare#claim}).
   */
  record Admitted(AddressSlots.Slot slot, AddressShare claimed) implements Verdict {}

  /** Refused before the upgrade with an HTTP status; {@code reason} is the metric label. */
  record Refused(HttpResponseStatus status, String reason, String message) implements Verdict {}

  private final AccessSettings settings;
  private final TokenFile tokens;
  private final AddressSlots slots;
  private final ResumableSessions resumables;
  private static final AttributeKey<Admitted> ADMITTED = AttributeKey.valueOf("hark.admitted");

  Admission(AccessSettings settings, ResumableSessions resumables) {
    this.settings = settings;
    this.tokens = settings.tokenFile() == null ? null : new TokenFile(settings.tokenFile());
    this.slots = new AddressSlots(settings.maxSessionsPerIp());
    this.resumables = resumables;
  }

  /**
   * Checks an upgrade from {@code client}; {@code resumeId} is the session a resume of Hark's own protocol names in
   * its URL ({@code ?resume=}), else null. A resume does not add a session, it takes one up: from the address the
   * session counts against it is let in on that session's slot, so a client at its share can still resume.
   */
  Verdict check(FullHttpRequest req, RequestTarget.Parsed target, InetAddress client, String resumeId) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !settings.allowedOrigins().isEmpty() && !settings.allowedOrigins().contains(origin)) {
      return new Refused(HttpResponseStatus.FORBIDDEN, "origin", "this page's origin is not in --allowed-origins");
    }
    if (tokens != null && !tokens.accepts(token(req.headers(), target))) {
      return new Refused(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
          "a valid token is required: Authorization: Bearer (or Token), ?token= or the hark.token. subprotocol");
    }
    AddressShare waiting = resumeId == null ? null : resumables.share(resumeId);
    if (waiting != null && waiting.claim(client)) {
      return new Admitted(null, waiting);
    }
    AddressSlots.Slot slot = slots.take(client);
    if (slot == null) {
      return new Refused(HttpResponseStatus.TOO_MANY_REQUESTS, "per_ip", perIpMessage(settings.maxSessionsPerIp()));
    }
    return new Admitted(slot, null);
  }

  private static String perIpMessage(int perAddress) {
    return "at most " + perAddress + " sessions from one address";
  }

  /**
   * A connection let in on a waiting session's slot that does not resume it (it was refused, or sent something else
   * first) takes a slot of its own for its session {@code fresh}; when its address has none left it is closed (1008)
   * and false returned. On the session's thread.
   */
  boolean settle(SessionState fresh, NettySessionChannel wire, HarkMetrics metrics) {
    InetAddress from = ((InetSocketAddress) wire.channel().remoteAddress()).getAddress();
    if (resumables.settle(fresh, () -> slots.take(from))) {
      return true;
    }
    metrics.sessionRefused("per_ip");
    wire.close(CloseCode.POLICY_VIOLATION, "per_ip: " + perIpMessage(settings.maxSessionsPerIp()));
    return false;
  }

  /** Gives {@code ch} what it was admitted on, until its session takes it ({@link #take}) or it closes. */
  void hold(Channel ch, Admitted admitted) {
    ch.attr(ADMITTED).set(admitted);
    ch.closeFuture().addListener(f -> giveBack(take(ch)));
  }

  /** Gives back what an upgrade was admitted on (nothing for null). */
  void giveBack(Admitted admitted) {
    if (admitted != null && admitted.slot() != null) {
      admitted.slot().release();
    } else if (admitted != null) {
      admitted.claimed().unclaim();
    }
  }

  /** What {@code ch} was admitted on, handed over to its session (null if handed over already). */
  static Admitted take(Channel ch) {
    return ch.attr(ADMITTED).getAndSet(null);
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
