package dev.hark.ingest;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.DropReason;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Decides, for the whole server, what happens to every chunk: queue it, evict the oldest, refuse it, pause the
 * socket, or shed a whole source when the global buffer budget is spent ({@link BudgetReducer}) or the recognizer's
 * capacity is ({@link CapacityReducer}), and restore it when load falls. Capacity is a {@link DecodeLedger}: sessions
 * and sources reserve their cost before they are taken ({@link SessionAdmission}), measured costs replace priors,
 * and each load report is decided by {@link CapacityDecision}, a pure function. The policy is written down in
 * docs/architecture.md; this class wires it.
 */
public final class ConcurrencyController {
  private final IngestSettings settings;
  private final LoadSettings load;
  private final BufferBudget budget;
  private final DecodeLedger ledger;
  private final HarkMetrics metrics;
  private final Set<SourceState> sources = ConcurrentHashMap.newKeySet();
  private final SessionAdmission admission;
  private final AtomicInteger streams = new AtomicInteger();
  /** The server's clock, in nanoseconds; injected so that tests can drive time by hand. */
  private final LongSupplier clock;
  private final BudgetReducer budgetReducer;
  private final CapacityReducer capacityReducer;
  /** Chunks that kept sources dropped for a full queue (not the budget): the recognizer was behind. Any thread. */
  private final LongAdder capacityDrops = new LongAdder();
  /** The capacity drops counted at the last load report; the load reporter's. */
  private long capacityDropsSeen;

  public ConcurrencyController(IngestSettings settings, LoadSettings load, HarkMetrics metrics) {
    this(settings, load, metrics, System::nanoTime);
  }

  /** Without capacity control (as {@code --no-asr-shed}), for what concerns queues and the buffer budget alone. */
  public ConcurrencyController(IngestSettings settings, HarkMetrics metrics, LongSupplier clock) {
    this(settings, LoadSettings.of(false, 1, 500, 200, settings.shedHold()), metrics, clock);
  }

  /** With {@code clock} as the time of every decision (a manual clock in tests). */
  public ConcurrencyController(IngestSettings settings, LoadSettings load, HarkMetrics metrics, LongSupplier clock) {
    this.clock = clock;
    this.settings = settings;
    this.load = load;
    this.budget = new BufferBudget(settings.maxBufferedBytes());
    this.ledger = new DecodeLedger(load);
    this.metrics = metrics;
    this.admission = new SessionAdmission(settings.maxSessions(), ledger);
    this.budgetReducer = new BudgetReducer(sources, budget, settings, clock);
    this.capacityReducer = new CapacityReducer(sources, load, clock);
    metrics.gauge("sessions.active", "Open sessions", admission::active);
    metrics.gauge("source.queue.depth", "Chunks queued over all sources", () -> depth(false), "agg", "sum");
    metrics.gauge("source.queue.depth", "Chunks queued in the fullest source queue", () -> depth(true), "agg", "max");
    metrics.gauge("source.queues.active", "Source queues open", sources::size);
    metrics.gauge("source.streams.active", "Source streams handed to the recognizer and not yet ended",
        streams::get);
    metrics.gauge("audio.buffered.bytes", "Audio bytes queued over all sources", budget::used);
    metrics.gauge("audio.buffered.limit.bytes", "The global buffer budget", budget::limit);
    metrics.gauge("asr.capacity.cores", "Decoding time that may be promised: threads times the target utilisation",
        () -> (double) ledger.capacity() / DecodeLedger.CORE);
    metrics.gauge("asr.reserved.cores", "Decoding time promised: measured costs of the streams kept, priors of "
        + "those not measured yet", () -> (double) ledger.reserved() / DecodeLedger.CORE);
    metrics.gauge("asr.prior.cores", "The cost a new stream reserves now", () -> (double) ledger.prior()
        / DecodeLedger.CORE);
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

  /** The recognizer's capacity and what is promised of it. */
  public DecodeLedger ledger() {
    return ledger;
  }

  /** Session slots and readiness. */
  public SessionAdmission admission() {
    return admission;
  }

  /**
   * The recognizer's load, as measured by the decode scheduler a few times a second (one caller thread): decided
   * by {@link CapacityDecision}, carried out by the {@link CapacityReducer}. Returns the sources shed.
   */
  public List<SourceState> recognizerLoad(RecognizerLoad l) {
    ledger.warmSpares(l.spares());
    long drops = capacityDrops.sum();
    CapacityDecision.Reading reading = capacityReducer.read(ledger, l, drops - capacityDropsSeen);
    capacityDropsSeen = drops;
    return capacityReducer.act(CapacityDecision.decide(load, reading), reading);
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
      budgetReducer.restoreIfDue(session, source);
      if (source.isShed()) {
        return SubmitResult.SHED;
      }
    }
    SubmitResult r = source.queue().offer(chunk, session.policy());
    boolean budgetSpent = switch (r) {
      case SubmitResult.Rejected x -> {
        if (x.reason() == DropReason.DROP_NEWEST) {
          capacityDrops.increment();
        }
        yield x.reason() == DropReason.GLOBAL_BUDGET;
      }
      case SubmitResult.DroppedOldest d -> {
        if (d.forQueue() > 0) {
          capacityDrops.increment();
        }
        yield d.forBudget() > 0;
      }
      case SubmitResult.Accepted a -> a.pauseReading() && budget.overLimit();
    };
    if (budgetSpent) {
      budgetReducer.shedOne();
    }
    return r;
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
