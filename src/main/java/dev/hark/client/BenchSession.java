package dev.hark.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One load-generator session on its channel's event loop: sends {@code start}, then pre-encoded chunks paced at real
 * time (catching up when the socket lets it) or back to back (flat), then {@code stop}, and times stop until
 * {@code stopped}. It writes only while the channel is writable, so a server that pushes back slows this session
 * down instead of piling up its memory.
 */
final class BenchSession extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final long IDLE_PING_NANOS = TimeUnit.SECONDS.toNanos(15);
  private static final int FLAT_BURST = 32;
  private final BenchRun run;
  private final int slot;
  private final CompletableFuture<Map<String, Object>> stopped = new CompletableFuture<>();
  private final CompletableFuture<Void> sendingDone = new CompletableFuture<>();
  private Channel ch;
  private ScheduledFuture<?> timer;
  /** Idle sessions: when they stop holding the connection. */
  private ScheduledFuture<?> idleEnd;
  private long readyNanos;
  private long paceOrigin;
  private long deadlineNanos;
  private long sent;
  private long stopSentNanos;
  private volatile boolean failed;
  private boolean sending;
  /** The first source's final transcripts, when the run measures word errors. */
  private final StringBuilder heard = new StringBuilder();

  /** {@code slot}: the millisecond of the chunk period in which this session sends, when paced. */
  BenchSession(BenchRun run, int slot) {
    this.run = run;
    this.slot = slot;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ch = ctx.channel();
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      send(run.startMessage());
      if (run.mode() == BenchRun.Mode.PEER) {
        becomeReady(); // a bare peer answers nothing: the session is ready once start is out
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void becomeReady() {
    readyNanos = System.nanoTime();
    deadlineNanos = readyNanos + run.durationNanos();
    run.sessionReady();
    switch (run.mode()) {
      case IDLE -> {
        timer = ch.eventLoop().scheduleAtFixedRate(this::ping, IDLE_PING_NANOS, IDLE_PING_NANOS, TimeUnit.NANOSECONDS);
        idleEnd = ch.eventLoop().schedule(() -> finishSending(false), run.durationNanos(), TimeUnit.NANOSECONDS);
      }
      default -> {
        sending = true;
        run.sendingStarted();
        if (run.paced()) {
          run.clock(ch.eventLoop()).add(this, slot);
        } else {
          flat();
        }
      }
    }
  }

  /** Idle sessions ping so that the server's idle timeout waits for them. */
  private void ping() {
    send("{\"type\":\"ping\"}");
  }

  /**
   * Paced: sends every chunk due by now, as far as the socket takes them; a session behind is counted late.
   * Returns whether the session still has audio to send.
   */
  boolean tick() {
    if (sendingDone.isDone()) {
      return false;
    }
    long now = System.nanoTime();
    if (paceOrigin == 0) {
      // Half a period before the first tick: a tick that comes a little early or late still owes one chunk.
      paceOrigin = now - run.chunkNanos() / 2;
    }
    long due = Math.min(run.chunksPerSession(), (now - paceOrigin) / run.chunkNanos() + 1);
    if (due - sent > 1) {
      run.lateTicks.increment();
    }
    while (sent < due && ch.isWritable()) {
      writeChunk();
    }
    ch.flush();
    if (sent >= run.chunksPerSession()) {
      finishSending(true);
      return false;
    }
    return true;
  }

  /** Flat: bursts of chunks while the socket is writable, yielding the event loop between bursts. */
  private void flat() {
    if (sendingDone.isDone()) {
      return;
    }
    for (int i = 0; i < FLAT_BURST && ch.isWritable() && System.nanoTime() < deadlineNanos; i++) {
      writeChunk();
    }
    ch.flush();
    if (System.nanoTime() >= deadlineNanos) {
      finishSending(true);
    } else if (ch.isWritable()) {
      ch.eventLoop().execute(this::flat);
    } // else channelWritabilityChanged resumes
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ch.isWritable() && !run.paced() && run.mode() != BenchRun.Mode.IDLE && readyNanos != 0) {
      flat();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the void promise: a failed write reaches exceptionCaught
  private void writeChunk() {
    long n = sent++;
    for (int s = 0; s < run.sources(); s++) {
      ch.write(run.chunk(s, n).duplicate(), ch.voidPromise());
    }
    run.framesSent.add(run.sources());
  }

  private void finishSending(boolean complete) {
    if (timer != null) {
      timer.cancel(false);
    }
    if (idleEnd != null) {
      idleEnd.cancel(false);
    }
    if (sending) {
      sending = false;
      run.sendingFinished(System.nanoTime() - readyNanos, complete);
    }
    sendingDone.complete(null);
  }

  /** Completes when this session has sent all its audio (or failed). */
  CompletableFuture<Void> sendingDone() {
    return sendingDone;
  }

  /** Sends stop after the audio; completes with the stopped stats, or null (failed, or a peer that has none). */
  CompletableFuture<Map<String, Object>> stop() {
    if (failed || ch == null || !ch.isActive()) {
      return CompletableFuture.completedFuture(null);
    }
    ch.eventLoop().execute(() -> {
      stopSentNanos = System.nanoTime();
      send(Messages.STOP);
      if (run.mode() == BenchRun.Mode.PEER) {
        close(ch);
      }
    });
    return stopped;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (!(frame instanceof TextWebSocketFrame t)) {
      return;
    }
    String text = t.text();
    // Most messages are transcripts or statuses; only those worth counting are parsed.
    if (text.startsWith("{\"type\":\"ready\"")) {
      becomeReady();
    } else if (text.startsWith("{\"type\":\"status\"")) {
      run.status(JsonObjects.parse(text));
    } else if (text.startsWith("{\"type\":\"error\"")) {
      run.errors.increment();
    } else if (text.startsWith("{\"type\":\"transcript\"")) {
      transcript(text);
    } else if (text.startsWith("{\"type\":\"stopped\"")) {
      run.stopLatency(System.nanoTime() - stopSentNanos);
      stopped.complete(JsonObjects.obj(JsonObjects.parse(text), "stats"));
    }
  }

  /**
   * Keeps the first source's final text when the run counts word errors, and, paced, times how long after the last
   * of its audio was sent a result arrived. Chunk n goes out at {@code paceOrigin} + half a period + n periods, so
   * the audio up to {@code end_ms} was all sent when the chunk holding its last sample was.
   */
  private void transcript(String text) {
    Map<String, Object> m = JsonObjects.parse(text);
    boolean isFinal = Boolean.TRUE.equals(m.get("final"));
    if (isFinal && run.countsWordErrors() && BenchRun.sourceName(0).equals(m.get("source"))) {
      heard.append(m.get("text")).append(' ');
    }
    if (paceOrigin == 0) {
      return;
    }
    long endMs = JsonObjects.num(m, "end_ms");
    long chunkMs = run.chunkNanos() / 1_000_000;
    long lastChunk = Math.max(0, (endMs + chunkMs - 1) / chunkMs - 1);
    long sentAt = paceOrigin + run.chunkNanos() / 2 + lastChunk * run.chunkNanos();
    run.resultLatency(isFinal, System.nanoTime() - sentAt);
  }

  /** The first source's final transcripts so far; read once {@link #stop()} has completed. */
  String heard() {
    return heard.toString();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    finishSending(false);
    stopped.complete(null);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!failed && readyNanos == 0) {
      if (cause instanceof WebSocketHandshakeException) {
        run.refused(cause instanceof WebSocketClientHandshakeException h && h.response() != null
            ? h.response().status().code() : 0);
      } else {
        run.connectErrors.increment();
      }
    }
    failed = true;
    close(ctx.channel());
  }

  /** Writes a control message; a failed write reaches exceptionCaught, which closes the session. */
  private void send(String text) {
    ch.writeAndFlush(new TextWebSocketFrame(text)).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the end is seen in channelInactive; a close has nothing to report
  private static void close(Channel channel) {
    channel.close();
  }

  /** A connection that never came up. */
  void connectFailed() {
    failed = true;
    run.connectErrors.increment();
    sendingDone.complete(null);
    stopped.complete(null);
  }
}
