package dev.hark.cli;

import dev.hark.client.JsonObjects;
import dev.hark.client.SessionEvents;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shows what a Hark server sends to {@code hark stream}: final transcripts on stdout, a partial one overwriting
 * the current line on a terminal, statuses, errors and resumes on stderr; or, with {@code --json}, every message as
 * a line.
 */
final class SessionPrinter implements SessionEvents {
  private final PrintStream out;
  private final PrintStream err;
  private final boolean json;
  private final boolean terminal;
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile long maxMessagesPerSecond;
  private final CompletableFuture<Map<String, Object>> stopped = new CompletableFuture<>();
  private volatile boolean closed;
  private volatile String closeWhy = "";
  /** Counted on the WebSocket's listener thread, read by the command's. */
  private final AtomicInteger errors = new AtomicInteger();
  private final AtomicInteger resumes = new AtomicInteger();
  private final AtomicInteger renewals = new AtomicInteger();
  private boolean partialShown;

  SessionPrinter(PrintStream out, PrintStream err, boolean json, boolean terminal) {
    this.out = out;
    this.err = err;
    this.json = json;
    this.terminal = terminal;
  }

  @Override
  public synchronized void message(String raw, Map<String, Object> m) {
    if (json) {
      out.println(raw);
    }
    switch (JsonObjects.str(m, "type")) {
      case "ready" -> {
        maxMessagesPerSecond = JsonObjects.num(m, "max_messages_per_s");
        if (Boolean.TRUE.equals(m.get("resumed")) && !json) {
          err.println("resumed session " + JsonObjects.str(m, "session_id") + "; sending again from "
              + JsonObjects.obj(m, "next_seq"));
        }
        ready.countDown();
      }
      case "transcript" -> transcript(m);
      case "status" -> {
        if (!json) {
          err.println(status(m));
        }
      }
      case "error" -> {
        errors.incrementAndGet();
        if (!json) {
          err.println("server error " + JsonObjects.str(m, "code") + (m.containsKey("source")
              ? " (" + JsonObjects.str(m, "source") + ")" : "") + ": " + JsonObjects.str(m, "message"));
        }
      }
      case "stopped" -> stopped.complete(JsonObjects.obj(m, "stats"));
      default -> { }
    }
  }

  private void transcript(Map<String, Object> m) {
    if (json) {
      return;
    }
    boolean fin = Boolean.TRUE.equals(m.get("final"));
    String line = "[" + JsonObjects.str(m, "source") + " " + clock(JsonObjects.num(m, "start_ms")) + "-"
        + clock(JsonObjects.num(m, "end_ms")) + "] " + JsonObjects.str(m, "text");
    if (fin) {
      out.println((partialShown ? "\r\033[K" : "") + line);
      partialShown = false;
    } else if (terminal) {
      out.print("\r\033[K" + line);
      out.flush();
      partialShown = true;
    }
  }

  static String status(Map<String, Object> m) {
    String state = JsonObjects.str(m, "state");
    String src = JsonObjects.str(m, "source");
    if (state.equals("gap")) {
      return "status " + src + ": gap, " + JsonObjects.num(m, "missing_frames") + " frame(s) never arrived";
    }
    return "status " + src + ": " + state + " (dropped " + JsonObjects.num(m, "dropped_frames") + ", queued "
        + JsonObjects.num(m, "queue_depth") + ")";
  }

  static String clock(long ms) {
    return String.format("%d:%02d.%02d", ms / 60000, ms / 1000 % 60, ms % 1000 / 10);
  }

  @Override
  public void resuming(String why) {
    resumes.incrementAndGet();
    err.println("connection lost (" + why + "); resuming the session");
  }

  @Override
  public void renewing(String why, long ackedFrames) {
    renewals.incrementAndGet();
    err.println("the session could not be resumed (" + why + "): continuing in a new session, sending again the "
        + "audio not acknowledged; the lost session had acknowledged " + ackedFrames + " frames, and what of them "
        + "it had not recognized is lost");
  }

  @Override
  public void closed(int code, String reason) {
    closeWhy = " (" + reason + ")";
    finish();
  }

  private void finish() {
    closed = true;
    ready.countDown();
    stopped.complete(null);
  }

  /** The server's message rate limit from ready; 0 if it gave none. */
  long maxMessagesPerSecond() {
    return maxMessagesPerSecond;
  }

  boolean awaitReady(int seconds) {
    try {
      return ready.await(seconds, TimeUnit.SECONDS) && !closed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The stats of {@code stopped}, or null if the session ended or timed out without it. */
  Map<String, Object> awaitStopped(long seconds) {
    try {
      return stopped.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  boolean closed() {
    return closed;
  }

  String why() {
    return closeWhy;
  }

  int errors() {
    return errors.get();
  }

  /** How many times a session could not be resumed and a new one took its place. */
  int renewals() {
    return renewals.get();
  }

  /** How many times the connection was lost and a resume begun. */
  int resumes() {
    return resumes.get();
  }
}
