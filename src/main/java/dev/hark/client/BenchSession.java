package dev.hark.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One load-generator session: connects, sends {@code start}, then one pre-encoded chunk per source per tick (paced)
 * or back to back (flat), then {@code stop}, and times stop until {@code stopped}. Sends are chained on the previous
 * one's completion, so a server that pushes back slows this session down instead of piling up its memory.
 */
final class BenchSession implements WebSocket.Listener {
  private static final long IDLE_PING_NANOS = 15_000_000_000L;
  private final BenchRun run;
  private final StringBuilder partial = new StringBuilder();
  private final CompletableFuture<Map<String, Object>> stopped = new CompletableFuture<>();
  private volatile WebSocket ws;
  private volatile CompletableFuture<WebSocket> pending;
  private long nextChunk;
  private volatile long stopSentNanos;
  volatile boolean ready;
  volatile boolean failed;

  private volatile long deadlineNanos;
  private volatile long readyNanos;
  private volatile long lastChunkNanos;
  private final CompletableFuture<Void> sendingDone = new CompletableFuture<>();

  BenchSession(BenchRun run) {
    this.run = run;
  }

  /** Connects and sends start; completes when the session is ready (or has failed). */
  CompletableFuture<Void> open(HttpClient http, URI url) {
    // pending exists before the socket does: ready can arrive (and ticks start) before buildAsync's callback runs.
    CompletableFuture<WebSocket> connected = new CompletableFuture<>();
    CompletableFuture<WebSocket> start = connected.thenCompose(w -> w.sendText(run.startMessage(), true));
    if (run.mode() == BenchRun.Mode.PEER) {
      // A bare peer answers nothing: the session is ready once start is sent.
      start = start.thenApply(x -> {
        becomeReady();
        return x;
      });
    }
    pending = start;
    return http.newWebSocketBuilder().buildAsync(url, this).thenCompose(w -> {
      ws = w;
      connected.complete(w);
      return pending;
    }).handle((w, e) -> {
      if (e != null) {
        failed = true;
        sendingDone.complete(null);
        Throwable c = e.getCause() == null ? e : e.getCause();
        if (c instanceof WebSocketHandshakeException) {
          run.refused.increment();
        } else {
          run.connectErrors.increment();
        }
      }
      return null;
    });
  }

  private void becomeReady() {
    readyNanos = System.nanoTime();
    deadlineNanos = readyNanos + run.durationNanos();
    if (run.mode() != BenchRun.Mode.IDLE) {
      run.sendingStarted();
      sendingDone.thenRun(() -> run.sendingFinished(lastChunkNanos - readyNanos));
    }
    ready = true;
    run.sessionReady(this);
  }

  /** Idle: hold the session without audio until the duration has passed, pinging so the server's idle timeout waits. */
  void idleUntilDeadline() {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0 || failed) {
      sendingDone.complete(null);
      return;
    }
    CompletableFuture.delayedExecutor(Math.min(left, IDLE_PING_NANOS), java.util.concurrent.TimeUnit.NANOSECONDS)
        .execute(() -> {
          if (deadlineNanos - System.nanoTime() > 0) {
            pending = pending.thenCompose(w -> w.sendText("{\"type\":\"ping\"}", true));
          }
          idleUntilDeadline();
        });
  }

  /** Paced: queue this tick's chunk of every source behind what is still being sent; the last tick ends sending. */
  void tick() {
    if (!ready || failed || sendingDone.isDone() || run.mode() == BenchRun.Mode.IDLE) {
      return;
    }
    if (!pending.isDone()) {
      run.lateTicks.increment();
    }
    long n = nextChunk++;
    for (int s = 0; s < run.sources(); s++) {
      int source = s;
      pending = pending.thenCompose(w -> send(w, source, n));
    }
    if (nextChunk >= run.chunksPerSession()) {
      lastChunkNanos = System.nanoTime();
      pending.whenComplete((w, e) -> sendingDone.complete(null));
    }
  }

  /**
   * Flat: sends chunks back to back for the run's duration. Loops while sends complete at once and re-arms on
   * the first that does not, so a fast socket never builds a deep chain of continuations.
   */
  void flat() {
    while (true) {
      if (failed || System.nanoTime() >= deadlineNanos) {
        sendingDone.complete(null);
        return;
      }
      long n = nextChunk++;
      CompletableFuture<WebSocket> f = pending;
      for (int s = 0; s < run.sources(); s++) {
        int source = s;
        f = f.thenCompose(w -> send(w, source, n));
      }
      pending = f;
      if (!f.isDone() || f.isCompletedExceptionally()) {
        f.whenCompleteAsync((w, e) -> {
          if (e != null) {
            failed = true;
            sendingDone.complete(null);
          } else {
            flat();
          }
        });
        return;
      }
    }
  }

  /** Completes when this session has sent all its audio (or failed). */
  CompletableFuture<Void> sendingDone() {
    return failed ? CompletableFuture.completedFuture(null) : sendingDone;
  }

  private CompletableFuture<WebSocket> send(WebSocket w, int source, long n) {
    run.framesSent.increment();
    return run.binary()
        ? w.sendBinary(ByteBuffer.wrap(run.binaryChunk(source, n)), true)
        : w.sendText(run.textChunk(source, n), true);
  }

  /** Sends stop after everything queued; completes with the stopped stats, or null. */
  CompletableFuture<Map<String, Object>> stop() {
    if (failed || ws == null) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<WebSocket> sent = sendingDone.thenCompose(v -> pending).thenCompose(w -> {
      stopSentNanos = System.nanoTime();
      return w.sendText("{\"type\":\"stop\"}", true);
    });
    if (run.mode() == BenchRun.Mode.PEER) {
      // No stopped will come: close once stop is out.
      return sent.thenCompose(w -> w.sendClose(WebSocket.NORMAL_CLOSURE, "done")).handle((w, e) -> null);
    }
    return stopped;
  }

  @Override
  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      onMessage(text);
    }
    w.request(1);
    return null;
  }

  private void onMessage(String text) {
    // Most messages are transcripts or statuses; only those worth counting are parsed.
    if (text.startsWith("{\"type\":\"ready\"")) {
      becomeReady();
    } else if (text.startsWith("{\"type\":\"status\"")) {
      run.status(JsonObjects.parse(text));
    } else if (text.startsWith("{\"type\":\"error\"")) {
      run.errors.increment();
    } else if (text.startsWith("{\"type\":\"stopped\"")) {
      run.stopLatency(System.nanoTime() - stopSentNanos);
      stopped.complete(JsonObjects.obj(JsonObjects.parse(text), "stats"));
    }
  }

  @Override
  public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
    sendingDone.complete(null);
    stopped.complete(null);
    return null;
  }

  @Override
  public void onError(WebSocket w, Throwable error) {
    failed = true;
    sendingDone.complete(null);
    stopped.complete(null);
  }
}
