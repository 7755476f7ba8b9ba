package dev.hark.ingest;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.DropReason;
import dev.hark.protocol.ShedReason;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides, for the whole server, what happens to every chunk: queue it, evict the oldest, refuse it, pause the
 * socket, or shed a whole source when the global buffer budget is spent or the recognizer is at capacity, and
 * restore it when load falls (admitting sessions is {@link SessionAdmission}'s). The shedding policy is written down in
 * docs/architecture.md; this class is its implementation.
 */
public final class ConcurrencyController {
  private final IngestSettings settings;
  private final BufferBudget budget;
  private final HarkMetrics metrics;
  private final Set<SourceState> sources = ConcurrentHashMap.newKeySet();
  private final SessionAdmission admission;
  private final AtomicInteger streams = new AtomicInteger();
  /** The server's clock, in nanoseconds; injected so that tests can drive time by hand. */
  private final LongSupplier clock;
  private final AtomicLong lastShedNanos;
  private final long shedHoldNanos;
  private final long shedIntervalNanos;
  /** Last capacity shed or restore; written only by the one thread that reports the recognizer's load. */
  private long lastCapacityChangeNanos;
  /** The largest decode lag when the last source was shed for capacity; 0 once the recognizer has relaxed. */
  private long lagAtLastShedMs;
  /** The least time between two sources shed for capacity while the lag keeps growing. */
  private static final long CAPACITY_SHED_SPACING_NANOS = 500_000_000L;

  public ConcurrencyController(IngestSettings settings, HarkMetrics metrics) {
    this(settings, metrics, System::nanoTime);
  }

  /** With {@code clock} as the time of every decision (a manual clock in tests). */
  public ConcurrencyController(IngestSettings settings, HarkMetrics metrics, LongSupplier clock) {
    this.clock = clock;
    // Long ago: the first shed is never held back by one that did not happen.
    this.lastShedNanos = new AtomicLong(clock.getAsLong() - (1L << 40));
    this.lastCapacityChangeNanos = clock.getAsLong() - (1L << 40);
    this.settings = settings;
    this.budget = new BufferBudget(settings.maxBufferedBytes());
    this.metrics = metrics;
    this.shedHoldNanos = settings.shedHold().toNanos();
    this.shedIntervalNanos = settings.shedInterval().toNanos();
    this.admission = new SessionAdmission(settings.maxSessions());
    metrics.gauge("sessions.active", "Open sessions", admission::active);
    metrics.gauge("source.queue.depth", "Chunks queued over all sources", () -> depth(false), "agg", "sum");
    metrics.gauge("source.queue.depth", "Chunks queued in the fullest source queue", () -> depth(true), "agg", "max");
    metrics.gauge("source.queues.active", "Source queues open", sources::size);
    metrics.gauge("source.streams.active", "Source streams handed to the recognizer and not yet ended",
        streams::get);
    metrics.gauge("audio.buffered.bytes", "Audio bytes queued over all sources", budget::used);
    metrics.gauge("audio.buffered.limit.bytes", "The global buffer budget", budget::limit);
  }

  /** Now, on the server's clock (nanoseconds, for intervals only). */
  public long now() {
    return clock.getAsLong();
  }

  public IngestSettings settings() {
    return settings;
  }

  BufferBudget budget() {
    return budget;
  }

  /** Session slots and readiness. */
  public SessionAdmission admission() {
    return admission;
  }

  /**
   * The recognizer's load, as measured by the decode scheduler a few times a second (one caller thread). It is
   * saturated when the decoding threads were busy at least 85% of the last interval and some stream's decode lag
   * is past {@code lagBoundMs}; new sessions are refused from half that lag; it has relaxed below 75% and a
   * quarter of the bound (the gap between is the hysteresis). While saturated, one whole source is shed, then
   * another at most every half second while the lag has grown by more than a decoding turn ({@code turnMs})
   * since (a backlog shrinking after a shed is no reason for the next, nor is one turn's jitter); once relaxed, at most
   * once per hold, one source shed for capacity comes back.
   * With {@code shed} off there is no capacity control: no refusal, no shedding (the design of vosk-server).
   */
  public void recognizerLoad(double utilisation, long maxLagMs, long lagBoundMs, long turnMs, boolean shed) {
    // Without shedding there is no capacity control at all: every stream is taken and lags alike.
    boolean busy = shed && utilisation >= 0.85;
    boolean saturated = busy && maxLagMs > lagBoundMs;
    boolean relaxed = !shed || (utilisation < 0.75 && maxLagMs < lagBoundMs / 4);
    // New sessions stop at half the lag bound: a stream taken now would only be shed a moment later.
    if (busy && maxLagMs > lagBoundMs / 2) {
      admission.recognizerFull(true);
    } else if (relaxed) {
      admission.recognizerFull(false);
    }
    long now = clock.getAsLong();
    if (relaxed) {
      lagAtLastShedMs = 0;
    }
    // Sheds follow each other quickly while the lag still grows (queues fill in about a second); restores wait
    // the whole hold, so a source does not flap.
    long hold = saturated ? Math.min(shedHoldNanos, CAPACITY_SHED_SPACING_NANOS) : shedHoldNanos;
    if (now - lastCapacityChangeNanos < hold) {
      return;
    }
    boolean shedNow = saturated && (lagAtLastShedMs == 0 || maxLagMs > lagAtLastShedMs + turnMs);
    SourceState s = shedNow ? capacityVictim() : relaxed ? capacityReturn() : null;
    if (s == null) {
      return;
    }
    lastCapacityChangeNanos = now;
    SessionState session = s.session();
    if (shedNow) {
      lagAtLastShedMs = maxLagMs;
      if (s.claimShed()) {
        session.channel().execute(() -> session.shedSource(s, ShedReason.ASR_CAPACITY));
      }
    } else {
      session.channel().execute(() -> session.restoreSource(s));
    }
  }

  /** Lowest priority first, then the newest source; never a block session's, nor one already shed. */
  private SourceState capacityVictim() {
    SourceState victim = null;
    for (SourceState s : sources) {
      if (s.isShed() || !s.sheddable() || s.session().isEnding()) {
        continue;
      }
      if (victim == null || s.priority() < victim.priority()
          || (s.priority() == victim.priority() && s.openedNanos() > victim.openedNanos())) {
        victim = s;
      }
    }
    return victim;
  }

  /** Highest priority first, then the source shed longest ago. */
  private SourceState capacityReturn() {
    SourceState back = null;
    for (SourceState s : sources) {
      if (!s.isShed() || s.shedReason() != ShedReason.ASR_CAPACITY) {
        continue;
      }
      if (back == null || s.priority() > back.priority()
          || (s.priority() == back.priority() && s.shedAtNanos() < back.shedAtNanos())) {
        back = s;
      }
    }
    return back;
  }


  void register(SourceState s) {
    sources.add(s);
  }

  void unregister(SourceState s) {
    sources.remove(s);
  }

  void streamStarted() {
    streams.incrementAndGet();
  }

  void streamEnded() {
    streams.decrementAndGet();
  }

  /** Queues {@code chunk} for {@code source} under the session's policy, or says why not. Session thread only. */
  public SubmitResult submitChunk(SessionState session, SourceState source, Chunk chunk) {
    if (source.isShed()) {
      restoreIfDue(session, source);
      if (source.isShed()) {
        return SubmitResult.SHED;
      }
    }
    SubmitResult r = source.queue().offer(chunk, session.policy());
    boolean budgetSpent = switch (r) {
      case SubmitResult.Rejected x -> x.reason() == DropReason.GLOBAL_BUDGET;
      case SubmitResult.DroppedOldest d -> d.forBudget() > 0;
      case SubmitResult.Accepted a -> a.pauseReading() && budget.overLimit();
    };
    if (budgetSpent) {
      shedOne();
    }
    return r;
  }

  /**
   * Restores {@code source}, shed for the buffer budget, if it has been shed for the hold time and the budget is
   * below half: lazily, on its next chunk (the original design's {@code should_drop_source}). A source shed for
   * recognizer capacity comes back through {@link #recognizerLoad}. Session thread only.
   */
  private void restoreIfDue(SessionState session, SourceState source) {
    if (source.shedReason() == ShedReason.BUFFER_BUDGET && budget.belowLowWatermark()
        && clock.getAsLong() - source.shedAtNanos() >= shedHoldNanos) {
      session.restoreSource(source);
    }
  }

  /** Sheds the source holding the most queued audio, at most once per shed interval, never a block session's. */
  private void shedOne() {
    long now = clock.getAsLong();
    long last = lastShedNanos.get();
    if (now - last < shedIntervalNanos || !lastShedNanos.compareAndSet(last, now)) {
      return;
    }
    SourceState victim = null;
    long most = 0;
    for (SourceState s : sources) {
      long b = s.queue().bytes();
      if (b > most && !s.isShed() && s.sheddable()) {
        most = b;
        victim = s;
      }
    }
    if (victim != null && victim.claimShed()) {
      SourceState v = victim;
      v.session().channel().execute(() -> v.session().shedSource(v, ShedReason.BUFFER_BUDGET));
    }
  }

  private int depth(boolean max) {
    int sum = 0;
    int top = 0;
    for (SourceState s : sources) {
      int d = s.queue().depth();
      sum += d;
      top = Math.max(top, d);
    }
    return max ? top : sum;
  }

  void whenBudgetWithinLimit(Runnable task) {
    budget.whenWithinLimit(task);
  }

  HarkMetrics metrics() {
    return metrics;
  }
}
