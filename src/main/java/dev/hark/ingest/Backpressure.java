package dev.hark.ingest;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.DropReason;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.ShedReason;
import dev.hark.protocol.StatusState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's reaction to full queues: counts drops, tells the client (throttled) and logs one line per episode;
 * pauses and resumes the socket for {@code block}; carries out shedding and restoring. Session thread only.
 */
final class Backpressure {
  private static final Logger log = LoggerFactory.getLogger(Backpressure.class);

  private final SessionState session;
  private final ConcurrencyController controller;
  private final HarkMetrics metrics;
  /** Owned by the session's thread, as is everything here: decoding threads reach it only through execute. */
  private boolean readingPaused;

  Backpressure(SessionState session, ConcurrencyController controller) {
    this.session = session;
    this.controller = controller;
    this.metrics = controller.metrics();
  }

  /** What the controller did with a chunk of {@code src}: the drops are counted and told, a pause made. */
  void submitted(SourceState src, SubmitResult result, long now) {
    switch (result) {
      case SubmitResult.Accepted a -> accepted(src, a.pauseReading());
      case SubmitResult.DroppedOldest d -> {
        dropped(src, DropReason.DROP_OLDEST, d.forQueue(), now);
        dropped(src, DropReason.GLOBAL_BUDGET, d.forBudget(), now);
      }
      case SubmitResult.Rejected r -> dropped(src, r.reason(), 1, now);
    }
  }

  private void sendStatus(StatusState state, SourceState src) {
    ShedReason reason = state == StatusState.SOURCE_DROPPED ? src.shedReason() : null;
    session.channel().send(new ServerMessage.Status(state, src.name(), src.droppedTotal(), src.queue().depth(),
        reason));
  }

  /** A chunk was queued; {@code pause} says the socket must stop being read. */
  private void accepted(SourceState src, boolean pause) {
    if (pause) {
      pause(src);
    } else if (src.backpressure().active() && src.queue().depth() <= src.queue().capacity() / 4) {
      maybeEndEpisode(src);
    }
  }

  /** {@code n} chunks of {@code src} were dropped for {@code reason}. */
  private void dropped(SourceState src, DropReason reason, int n, long now) {
    if (n <= 0) {
      return;
    }
    long before = src.droppedTotal();
    src.recordDrops(reason, n);
    // A shed source was told once with source_dropped; a closed session has no one to tell.
    if (reason != DropReason.SOURCE_SHED && reason != DropReason.SESSION_CLOSED) {
      episodeEvent(src, StatusState.BACKPRESSURE, now, before);
    }
  }

  private void pause(SourceState src) {
    if (readingPaused) {
      return;
    }
    readingPaused = true;
    session.channel().setReading(false);
    metrics.readPaused();
    episodeEvent(src, StatusState.PAUSED, controller.now(), src.droppedTotal());
    maybeResume();
  }

  private void episodeEvent(SourceState src, StatusState state, long now, long droppedBefore) {
    switch (src.backpressure().onDrop(now, droppedBefore)) {
      case EPISODE_STARTED -> {
        metrics.backpressureEpisode();
        sendStatus(state, src);
        maybeEndEpisode(src);
      }
      case REMINDER -> sendStatus(state, src);
      case NOTHING -> { }
    }
  }

  /** Ends the episode once the queue is at its low watermark and no drop came for the quiet period. */
  private void maybeEndEpisode(SourceState src) {
    BackpressureEpisode t = src.backpressure();
    if (!t.active() || session.isClosed()) {
      return;
    }
    if (!src.queue().atLowWatermark() && armLowWatermarkWatch(src)) {
      return;
    }
    long now = controller.now();
    long wait = t.quietRemaining(now);
    if (wait > 0) {
      if (t.claimRecheck()) {
        session.channel().schedule(() -> {
          t.recheckRan();
          maybeEndEpisode(src);
        }, wait);
      }
      return;
    }
    long lengthMs = t.end(now) / 1_000_000;
    sendStatus(StatusState.OK, src);
    logEpisode(src, lengthMs, "queue drained");
  }

  /** Resumes reading once every queue is at its low watermark and the budget has room again. */
  private void maybeResume() {
    if (!readingPaused || session.isClosed()) {
      return;
    }
    for (SourceState s : session.sources()) {
      if (!s.queue().atLowWatermark() && armLowWatermarkWatch(s)) {
        return;
      }
    }
    if (controller.budget().overLimit()) {
      controller.whenBudgetWithinLimit(() -> session.channel().execute(this::maybeResume));
      return;
    }
    readingPaused = false;
    session.channel().setReading(true);
  }

  /** Asks the reader to call back when the queue reaches its low watermark; false if it already has (nothing armed). */
  private boolean armLowWatermarkWatch(SourceState src) {
    if (src.lowWatermarkWatched()) {
      return true;
    }
    boolean armed = src.queue().whenAtLowWatermark(() -> session.channel().execute(() -> onLowWatermark(src)));
    src.lowWatermarkWatched(armed);
    return armed;
  }

  private void onLowWatermark(SourceState src) {
    src.lowWatermarkWatched(false);
    maybeResume();
    maybeEndEpisode(src);
  }

  void shed(SourceState src, boolean closed, ShedReason reason) {
    int n = src.queue().clear();
    src.markShed(controller.now(), reason);
    if (closed) {
      return;
    }
    if (n > 0) {
      src.recordDrops(DropReason.SOURCE_SHED, n);
    }
    metrics.sourceShed(reason.wire());
    sendStatus(StatusState.SOURCE_DROPPED, src);
    log.info("session={} source={} shed ({}): {} queued chunks dropped", session.id(), src.name(), reason.wire(), n);
  }

  void restore(SourceState src) {
    src.markRestored();
    metrics.sourceRestored();
    sendStatus(StatusState.SOURCE_RESTORED, src);
    log.info("session={} source={} restored", session.id(), src.name());
  }

  void sessionClosed(SourceState src) {
    BackpressureEpisode t = src.backpressure();
    if (t.active()) {
      logEpisode(src, t.end(controller.now()) / 1_000_000, "session ended");
    }
  }

  private void logEpisode(SourceState src, long lengthMs, String how) {
    String what = session.policy() == OverflowPolicy.BLOCK ? "pause" : "backpressure";
    log.info("session={} source={} {} episode over ({}) after {} ms: {} frames dropped", session.id(), src.name(),
        what, how, lengthMs, src.droppedTotal() - src.backpressure().droppedBefore());
  }
}
