package dev.hark.server;

import dev.hark.ingest.SessionState;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.ProtocolError;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of this server that a new connection may take up ({@code --resume-window-s}), each with its resume
 * token and the access token it was opened with. A session whose connection is lost without {@code stop} waits here
 * for the window, its queues and recognizers going on, its slot and queued audio still counted against the server's
 * limits; then it ends as a lost connection's session does. A resume needs the current resume token (a fresh one is
 * given with each resume, so one token resumes once) and the same access token. Each session holds its address's
 * slot ({@link AddressSlots}) from its first connection until it ends, waiting or not; a resume moves it to the
 * resuming connection's address.
 */
final class ResumableSessions {
  private static final Logger log = LoggerFactory.getLogger(ResumableSessions.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What a resume comes to. */
  sealed interface Outcome {}

  /** The session is the new connection's now. */
  record Resumed(SessionState session, ResumableChannel channel) implements Outcome {}

  /** Refused, with the error to tell the client. */
  record Refused(ProtocolError error) implements Outcome {}

  /** A registered session; its fields change on the session's own thread only. */
  private static final class Entry {
    final SessionState session;
    final ResumableChannel channel;
    final byte[] access;
    final Future<?> maxDuration;
    final AddressShare share;
    volatile byte[] token;
    Future<?> expiry;

    Entry(SessionState session, ResumableChannel channel, byte[] access, Future<?> maxDuration) {
      this.session = session;
      this.channel = channel;
      this.access = access;
      this.maxDuration = maxDuration;
      this.share = new AddressShare(session.id());
    }
  }

  private final ConcurrentHashMap<String, Entry> byId = new ConcurrentHashMap<>();
  private final long windowNanos;
  private final HarkMetrics metrics;

  ResumableSessions(long windowNanos, HarkMetrics metrics) {
    this.windowNanos = windowNanos;
    this.metrics = metrics;
    metrics.gauge("sessions.awaiting.resume", "Sessions whose connection was lost, waiting to be resumed",
        this::awaiting);
  }

  boolean enabled() {
    return windowNanos > 0;
  }

  private int awaiting() {
    int n = 0;
    for (Entry e : byId.values()) {
      n += e.channel.detached() ? 1 : 0;
    }
    return n;
  }

  /**
   * Makes {@code session} resumable and gives it its first resume token; {@code maxDuration} ends with it, and so
   * does what its connection was {@code admitted} on (null for none).
   */
  void register(SessionState session, ResumableChannel channel, String accessToken, Future<?> maxDuration,
      Admission.Admitted admitted) {
    Entry e = new Entry(session, channel, digest(accessToken), maxDuration);
    e.token = newToken(session);
    if (admitted != null) {
      e.share.take(admitted);
    }
    byId.put(session.id(), e);
  }

  /** The share of its address that session {@code sessionId} holds, to {@link AddressShare#claim}; or null. */
  AddressShare share(String sessionId) {
    Entry e = byId.get(sessionId);
    return e == null ? null : e.share;
  }

  /** See {@link AddressShare#settle}; on the session's thread. */
  boolean settle(SessionState fresh, Supplier<AddressSlots.Slot> take) {
    Entry f = byId.get(fresh.id());
    return f == null || f.share.settle(take);
  }

  /** The event loop a session lives on, or null if this server holds no such session for resuming. */
  EventLoop home(String sessionId) {
    Entry e = byId.get(sessionId);
    return e == null ? null : e.channel.home();
  }

  /**
   * Why a resume of {@code sessionId} was not even asked: resuming is off ({@code enabled} false), the connection
   * already began a session of its own (not {@code fresh}), or no such session is held here.
   */
  ProtocolError cannotAsk(boolean enabled, boolean fresh, String sessionId) {
    if (!fresh) {
      return new ProtocolError(ErrorCode.BAD_STATE, "resume must be the first message of a connection");
    }
    metrics.resume("unknown");
    return new ProtocolError(ErrorCode.RESUME_UNKNOWN, enabled ? "no session " + sessionId + " awaits a resume here"
        : "resuming is off here (--resume-window-s 0)");
  }

  /**
   * The connection whose socket is {@code w} is gone, from any thread: unless another connection took the session up
   * already, it waits for a resume if {@code mayWait} and it may be resumed, else it ends (on its own thread).
   */
  void connectionGone(SessionState session, ResumableChannel channel, NettySessionChannel w, boolean mayWait) {
    channel.home().execute(() -> {
      if (!channel.isCurrent(w)) {
        return;
      }
      if (mayWait) {
        lost(session);
      } else {
        end(session);
      }
    });
  }

  /**
   * The session's socket was lost (on the session's thread): it waits for a resume if it may be resumed (started,
   * not stopped), else it ends now.
   */
  void lost(SessionState session) {
    Entry e = byId.get(session.id());
    if (e == null || !session.resumable()) {
      end(session);
      return;
    }
    e.channel.detach();
    metrics.resume("detached");
    log.info("session={} connection lost; kept {} ms for a resume", session.id(), windowNanos / 1_000_000);
    e.expiry = e.channel.home().schedule(() -> expire(e), windowNanos, TimeUnit.NANOSECONDS);
  }

  private void expire(Entry e) {
    if (e.channel.detached() && byId.get(e.session.id()) == e) {
      metrics.resume("expired");
      log.info("session={} was not resumed within {} ms: ended", e.session.id(), windowNanos / 1_000_000);
      end(e.session);
    }
  }

  /** As {@link #end}, by the session's id: a session that closed itself while no connection was there. */
  void endById(String sessionId) {
    Entry e = byId.get(sessionId);
    if (e != null) {
      end(e.session);
    }
  }

  /** Ends a session for good, on its thread: its streams are aborted, its timers cancelled, and it is forgotten. */
  void end(SessionState session) {
    Entry e = byId.remove(session.id());
    if (e != null) {
      e.share.release();
      if (e.expiry != null) {
        e.expiry.cancel(false);
      }
      if (e.maxDuration != null) {
        e.maxDuration.cancel(false); // else the timer would hold the ended session for hours
      }
    }
    session.close();
  }

  /**
   * Takes a session up for the connection whose socket is {@code to}, and whose own session so far is
   * {@code fresh}; on the session's thread.
   */
  Outcome resume(ClientMessage.Resume r, String accessToken, NettySessionChannel to, SessionState fresh) {
    Entry e = byId.get(r.sessionId());
    if (e == null || !e.session.resumable()) {
      metrics.resume("unknown");
      return new Refused(new ProtocolError(ErrorCode.RESUME_UNKNOWN, "no session " + r.sessionId()
          + " awaits a resume here: it was never made here, has ended, or its resume window passed"));
    }
    boolean tokenOk = MessageDigest.isEqual(e.token, r.token().getBytes(StandardCharsets.US_ASCII));
    if (!tokenOk || !MessageDigest.isEqual(e.access, digest(accessToken))) {
      metrics.resume("denied");
      return new Refused(new ProtocolError(ErrorCode.RESUME_DENIED, tokenOk
          ? "the access token is not the one the session was opened with"
          : "wrong resume token (each resume gives a new one in ready)"));
    }
    if (e.expiry != null) {
      e.expiry.cancel(false);
      e.expiry = null;
    }
    e.token = newToken(e.session);
    Entry f = byId.get(fresh.id());
    if (f != null) {
      e.share.resumedBy(f.share);
    }
    e.channel.attach(to, r.finals(), e.session::resumed);
    metrics.resume("resumed");
    log.info("session={} resumed from {}", e.session.id(), to.remoteAddress());
    return new Resumed(e.session, e.channel);
  }

  /** At shutdown: every session waiting for a resume ends now. */
  void endAll() {
    for (Entry e : byId.values()) {
      e.channel.home().execute(() -> {
        if (e.channel.detached()) {
          end(e.session);
        }
      });
    }
  }

  /** 128 random bits, URL-safe Base64, given to the session as its resume token. */
  private static byte[] newToken(SessionState session) {
    byte[] raw = new byte[16];
    RANDOM.nextBytes(raw);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    session.resumeToken(token);
    return token.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] digest(String accessToken) {
    try {
      return MessageDigest.getInstance("SHA-256").digest((accessToken == null ? "" : accessToken)
          .getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
