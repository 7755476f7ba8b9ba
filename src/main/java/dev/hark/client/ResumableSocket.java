package dev.hark.client;

import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A Hark session that outlives a lost connection, as {@code hark stream} runs one: it keeps the audio the server has
 * not acknowledged (a bounded span per source, {@link UnackedAudio}), and when the connection is lost without
 * {@code stop} it connects again with {@code ?resume=SESSION_ID} and a {@code start} carrying {@code resume}, then
 * sends again from each source's next expected {@code seq}; a session that cannot be resumed is renewed, a new one
 * sent all the audio kept. Its {@link SessionEvents} hear of all of it. Thread-safe.
 */
public final class ResumableSocket {
  private final URI url;
  private final Supplier<WebSocket.Builder> builders;
  private final SessionEvents app;
  private final Duration window;
  // Guarded by this.
  private final UnackedAudio unacked;
  private WebSocket ws;
  private String sessionId;
  private String resumeToken;
  private long finals;
  private boolean resuming;
  private boolean ended;
  private String unsentText;
  private CompletableFuture<Map<String, Object>> resumeAnswer;
  /** The session could not be resumed: the next attempt opens a new one. */
  private boolean renewing;
  /** Frames the session acknowledged (released from {@link #unacked}). */
  private long ackedFrames;
  private String start;

  /** {@code keepMs} of unacknowledged audio kept per source; resumes are tried for {@code window}. */
  public ResumableSocket(URI url, Supplier<WebSocket.Builder> builders, SessionEvents app, long keepMs,
      Duration window) {
    this.url = url;
    this.builders = builders;
    this.app = app;
    this.unacked = new UnackedAudio(keepMs);
    this.window = window;
  }

  /** Connects and sends {@code start}; throws what the connection attempt threw. */
  public void open(String start) {
    WebSocket w = builders.get().buildAsync(url, new Connection()).join();
    synchronized (this) {
      ws = w;
      this.start = start;
    }
    send(w, start);
  }

  /**
   * Sends a frame of {@code source} (kept until acknowledged), or only keeps it while the session is resuming (the
   * resume sends it). Sent outside the lock, so that a send the network holds up does not hold up the acks.
   */
  public void audio(String source, long seq, Object wire, long durationMs) {
    WebSocket w;
    synchronized (this) {
      unacked.sent(source, new UnackedAudio.Frame(seq, wire, durationMs));
      w = resuming ? null : ws;
    }
    if (w != null) {
      trySend(w, wire);
    }
  }

  /** Sends a text message (stop); while resuming, it goes out once resumed. */
  public void text(String json) {
    WebSocket w;
    synchronized (this) {
      w = resuming ? null : ws;
      if (w == null) {
        unsentText = json;
      }
    }
    if (w != null) {
      trySend(w, json);
    }
  }

  private static void send(WebSocket w, Object wire) {
    CompletableFuture<WebSocket> f = wire instanceof byte[] b ? w.sendBinary(ByteBuffer.wrap(b), true)
        : w.sendText((String) wire, true);
    f.orTimeout(60, TimeUnit.SECONDS).join();
  }

  /** Sends, or leaves it to the listener, which hears of a broken connection and resumes. */
  private static void trySend(WebSocket w, Object wire) {
    try {
      send(w, wire);
    } catch (CompletionException | IllegalStateException e) {
      // The connection broke under this send: onError or onClose follows and resumes the session.
    }
  }

  private void received(String json) {
    Map<String, Object> m = JsonObjects.parse(json);
    CompletableFuture<Map<String, Object>> answer = null;
    synchronized (this) {
      switch (JsonObjects.str(m, "type")) {
        case "ready" -> {
          sessionId = JsonObjects.str(m, "session_id");
          resumeToken = m.get("resume_token") instanceof String t ? t : null;
          if (Boolean.TRUE.equals(m.get("resumed")) || renewing) {
            answer = resumeAnswer;
          }
        }
        case "ack" -> ackedFrames += unacked.acked(JsonObjects.str(m, "source"), JsonObjects.num(m, "seq"));
        case "transcript" -> finals += Boolean.TRUE.equals(m.get("final")) ? 1 : 0;
        case "stopped" -> ended = true;
        case "error" -> {
          if (resuming && JsonObjects.str(m, "code").startsWith("resume_")) {
            answer = resumeAnswer;
          }
        }
        default -> { }
      }
    }
    app.message(json, m);
    if (answer != null) {
      answer.complete(m);
    }
  }

  /** The connection {@code w} is gone: resume if the session can be, else it is over. */
  private void lost(WebSocket w, int code, String why) {
    synchronized (this) {
      if (w != ws) {
        return; // an old connection, or one given up on
      }
      ws = null;
      if (resuming) {
        if (resumeAnswer != null) {
          resumeAnswer.completeExceptionally(new IllegalStateException(why));
        }
        return;
      }
      if (ended || resumeToken == null || code != 1006) {
        ended = true;
      } else {
        resuming = true;
      }
    }
    if (resuming) {
      app.resuming(why);
      Thread.ofVirtual().name("hark-resume").start(this::resumeUntilTheWindowPasses);
    } else {
      app.closed(code, why);
    }
  }

  private void resumeUntilTheWindowPasses() {
    long deadline = System.nanoTime() + window.toNanos();
    long backoffMs = 100;
    String why = "";
    try {
      while (System.nanoTime() < deadline) {
        try {
          attempt();
          return; // resumed, or renewed
        } catch (CompletionException | ExecutionException | TimeoutException | IllegalStateException e) {
          why = String.valueOf(e.getCause() != null ? e.getCause() : e);
        }
        Thread.sleep(backoffMs);
        backoffMs = Math.min(2_000, backoffMs * 2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      ended = true;
      resuming = false;
    }
    app.closed(1006, "connection lost and not resumed within " + window.toSeconds() + " s: " + why);
  }

  /**
   * One try: resume the session (connect with {@code ?resume=}, ask, and on ready send again what the server lacks),
   * or, once it cannot be resumed, open a new one and send it all the audio not acknowledged.
   */
  private void attempt() throws ExecutionException, TimeoutException, InterruptedException {
    CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
    URI to;
    String first;
    synchronized (this) {
      resumeAnswer = answer;
      String sep = url.getRawQuery() == null ? "?" : "&";
      to = renewing ? url : URI.create(url + sep + "resume=" + sessionId);
      first = renewing ? start : "{\"type\":\"start\",\"resume\":{\"session_id\":\"" + sessionId
          + "\",\"token\":\"" + resumeToken + "\",\"finals\":" + finals + "}}";
    }
    WebSocket w;
    try {
      w = builders.get().buildAsync(to, new Connection()).join();
    } catch (CompletionException e) {
      if (!renewing && e.getCause() instanceof WebSocketHandshakeException h
          && h.getResponse().statusCode() >= 500) {
        renew("its node answers " + h.getResponse().statusCode()); // a balancer says the session's node is gone
      }
      throw e;
    }
    synchronized (this) {
      ws = w;
    }
    send(w, first);
    Map<String, Object> m = answer.get(10, TimeUnit.SECONDS);
    if (JsonObjects.str(m, "type").equals("error")) {
      synchronized (this) {
        ws = null;
      }
      w.abort();
      renew(JsonObjects.str(m, "code"));
      throw new IllegalStateException("the session could not be resumed: " + JsonObjects.str(m, "code"));
    }
    synchronized (this) {
      Map<String, Object> next = renewing ? Map.of() : JsonObjects.obj(m, "next_seq");
      if (renewing) {
        finals = 0;
        renewing = false;
      }
      for (String source : unacked.sources()) {
        List<UnackedAudio.Frame> again = unacked.from(source, next.get(source) instanceof Number n
            ? n.longValue() : 0);
        for (UnackedAudio.Frame f : again) {
          send(w, f.wire());
        }
      }
      resuming = false;
      if (unsentText != null) {
        send(w, unsentText);
        unsentText = null;
      }
    }
  }

  /** From now on, tries open a new session instead of resuming the lost one. */
  private void renew(String why) {
    long acked;
    synchronized (this) {
      if (renewing) {
        return;
      }
      renewing = true;
      acked = ackedFrames;
      ackedFrames = 0;
    }
    app.renewing(why, acked);
  }

  /** The listener of one connection; what it hears counts only while it is the current one. */
  private final class Connection implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String json = text.toString();
        text.setLength(0);
        received(json);
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
      lost(w, code, "closed " + code + (reason.isEmpty() ? "" : " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      lost(w, 1006, String.valueOf(error));
    }
  }
}
