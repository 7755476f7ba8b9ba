package dev.hark.asr;

import dev.hark.ingest.PcmStream;
import dev.hark.ingest.RecognizerLoad;
import dev.hark.metrics.HarkMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recognizer's CPU, shared by every stream: a fixed set of platform decoding threads (decoding is CPU-bound
 * native work, never for virtual threads' carriers or event loops) serves every stream that has queued audio, in
 * turns of at most {@link AsrSettings#turnMs()} (200 ms) of audio, first come first served, so every stream gets
 * results as it goes and none waits for another to end. A stream with nothing queued is in no queue and costs nothing.
 * A busy thread takes the next stream by itself; an idle one looks for more every few ms while audio flows, and is
 * woken only when none is looking ({@link RunQueue}: a wake-up per chunk cost more than the chunk). A turn that
 * outlasts the stall timeout is taken for a call that will never return: its stream fails, its thread is written
 * off and a new one started, and the other streams go on.
 */
public final class DecodeScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DecodeScheduler.class);

  private final RunQueue<DecodeJob> ready = new RunQueue<>();
  private final Set<DecodeJob> jobs = ConcurrentHashMap.newKeySet();
  private final List<DecodingThread> threads = new CopyOnWriteArrayList<>();
  private final AtomicInteger threadNumbers = new AtomicInteger();
  private final ScheduledExecutorService watchdog;
  /** The timer thread's periodic tasks; they end with it. */
  private final List<ScheduledFuture<?>> timers = new CopyOnWriteArrayList<>();
  private final DecodeMeters meters;
  private final RecognizerPool recognizers;
  private final long stallNanos;
  private final int turnMs;
  /** Set by close on any thread; read by every decoding thread. */
  private volatile boolean closed;
  /** Any thread: every decoding thread adds its turns, the load report reads. */
  private final AtomicLong busyNanos = new AtomicLong();
  private final int workers;
  private final int maxSpare;
  /** The warm-up, if one was started; written once before the server takes sessions. */
  private volatile RecognizerWarmUp warmUp;
  /** Nanoseconds; injected so that tests can drive time by hand. */
  private final LongSupplier clock;
  /** What a turn's cost is measured with: the decoding thread's CPU time, or the clock for a stand-in engine. */
  private final LongSupplier costClock;
  // Guarded by this (load() is synchronized): the timer thread's last load report.
  private long lastLoadNanos;
  private long lastBusyNanos;

  public DecodeScheduler(AsrEngine engine, AsrSettings settings, HarkMetrics metrics) {
    this(engine, settings, metrics, System::nanoTime);
  }

  /** With {@code clock} for every time it measures (a manual clock in tests). */
  public DecodeScheduler(AsrEngine engine, AsrSettings settings, HarkMetrics metrics, LongSupplier clock) {
    this.clock = clock;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    this.costClock = engine.costIsCpu() && cpu.isCurrentThreadCpuTimeSupported() ? cpu::getCurrentThreadCpuTime
        : clock;
    this.lastLoadNanos = clock.getAsLong();
    this.stallNanos = settings.stallTimeout().toNanos();
    this.turnMs = settings.turnMs();
    this.workers = settings.workers();
    this.maxSpare = settings.spareRecognizers();
    this.recognizers = new RecognizerPool(engine, settings.spareRecognizers(), AsrSettings.SPARE_IDLE.toNanos(),
        clock);
    this.meters = new DecodeMeters(engine.name(), settings.workers(), metrics, this, recognizers);
    for (int i = 0; i < settings.workers(); i++) {
      startThread();
    }
    watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "asr-watchdog");
      t.setDaemon(true);
      return t;
    });
    every(this::writeOffHungThreads, Math.max(10, settings.stallTimeout().toMillis() / 4));
    every(this::trimNativeHeap, 5_000);
    every(meters::updateRealtimeFactor, DecodeMeters.RTF_WINDOW_S * 1000L);
  }

  /**
   * Starts recognizing {@code audio}; {@code results} hears every result with its span on the source's timeline.
   * Returns at once (it runs on the session's event loop); the stream calls {@link PcmStream#end()} when done.
   */
  public void start(PcmStream audio, TranscriptListener results) {
    DecodeJob job = new DecodeJob(this, audio, results);
    jobs.add(job);
    job.waitForAudio();
  }

  long now() {
    return clock.getAsLong();
  }

  /** The measure of a turn's cost, in nanoseconds, read before and after it on the decoding thread. */
  long costNanos() {
    return costClock.getAsLong();
  }

  /**
   * Before the server takes sessions: warms up to {@code count} recognizers on the engine's bundled speech (none if
   * it has none), starting none after {@code millis}, and keeps them as spares however long they wait; returns how
   * many were warmed.
   */
  public int warmUp(AsrEngine engine, int count, long millis) {
    byte[] speech = engine.warmUpSpeech();
    int n = Math.min(count, maxSpare);
    if (speech == null || n <= 0) {
      return 0;
    }
    warmUp = new RecognizerWarmUp(engine, recognizers, n, workers, speech,
        AsrEngine.WARM_UP_RATE * 2 * turnMs / 1000, System.nanoTime() + millis * 1_000_000);
    int warmed = warmUp.await();
    recognizers.keepWarm(warmed);
    return warmed;
  }


  int turnMs() {
    return turnMs;
  }

  RecognizerPool recognizers() {
    return recognizers;
  }

  DecodeMeters meters() {
    return meters;
  }

  /** Puts {@code job} at the back of the line. Any thread. */
  void ready(DecodeJob job) {
    ready.offer(job);
  }

  void ended(DecodeJob job) {
    jobs.remove(job);
  }

  /** Streams being recognized (registered and not yet ended). */
  int streams() {
    return jobs.size();
  }

  /** The largest decode lag of any stream now: audio queued or in a turn, not yet decoded, in ms. */
  long maxLagMs() {
    long max = 0;
    for (DecodeJob j : jobs) {
      max = Math.max(max, j.lagMs());
    }
    return max;
  }

  private void startThread() {
    DecodingThread t = new DecodingThread();
    threads.add(t);
    Thread.ofPlatform().daemon().name("asr-decoding-" + threadNumbers.incrementAndGet()).start(t);
  }

  private void writeOffHungThreads() {
    long now = clock.getAsLong();
    for (DecodingThread t : List.copyOf(threads)) {
      DecodeJob job = t.current;
      long started = t.turnStarted;
      if (job != null && started != 0 && now - started > stallNanos && !t.writtenOff) {
        t.writtenOff = true;
        threads.remove(t);
        meters.threadWrittenOff();
        log.warn("a decoding turn of session={} source={} has run {} ms: its thread is written off and replaced",
            job.sessionId(), job.source(), (now - started) / 1_000_000);
        startThread();
        job.hung(new DecoderHungException("the recognizer did not return from a turn within "
            + stallNanos / 1_000_000 + " ms"));
      }
    }
  }

  /**
   * Reports {@link #load()} to {@code listener} every {@code everyMillis}, on the scheduler's own timer thread.
   */
  public void reportLoad(Consumer<RecognizerLoad> listener, long everyMillis) {
    every(() -> listener.accept(load()), everyMillis);
  }

  /**
   * Runs {@code task} every {@code millis} on the timer thread. A task that throws is logged and keeps its schedule
   * (an exception would otherwise end the schedule silently, inside the returned future).
   */
  private void every(Runnable task, long millis) {
    timers.add(watchdog.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("a decode scheduler timer task failed; it runs again", e);
      }
    }, millis, millis, TimeUnit.MILLISECONDS));
  }

  /**
   * Every few seconds: closes the spare recognizers that waited too long and, if recognizers were closed since the
   * last time, gives their freed native memory back to the system.
   */
  private void trimNativeHeap() {
    meters.sparesClosed(recognizers.closeIdle(false));
    if (meters.takeClosedSinceTrim() > 0) {
      NativeHeap.trim();
    }
  }

  /** The load since the last call (one caller at a time): turns in progress count up to now. */
  synchronized RecognizerLoad load() {
    long now = clock.getAsLong();
    long busy = busyNanos.get();
    for (DecodingThread t : threads) {
      long started = t.turnStarted;
      if (started != 0) {
        busy += now - started;
      }
    }
    double utilisation = now == lastLoadNanos ? 0
        : Math.min(1, (double) (busy - lastBusyNanos) / ((now - lastLoadNanos) * (double) workers));
    // A turn still in progress counts up to now here; when it ends its whole length is added to busyNanos, and
    // the next interval's difference takes this part back out.
    lastBusyNanos = busy;
    lastLoadNanos = now;
    return new RecognizerLoad(workers, Math.max(0, utilisation), maxLagMs(), streams(), recognizers.spares());
  }

  /**
   * Runs the next stream's turn on the caller's thread; false if no stream has audio queued. For tests that drive
   * the scheduler by hand (with no decoding threads) to check its order of turns deterministically.
   */
  boolean runNextTurn() {
    DecodeJob job = ready.poll();
    if (job == null) {
      return false;
    }
    job.turn(() -> false);
    return true;
  }

  /** Stops the decoding threads; streams still open are closed. The engine is the caller's to close. */
  @Override
  public void close() {
    closed = true;
    RecognizerWarmUp w = warmUp;
    if (w != null) {
      w.cancel();
    }
    watchdog.shutdownNow();
    for (DecodingThread t : threads) {
      t.stop();
    }
    for (DecodingThread t : threads) {
      t.awaitStop(2_000);
    }
    for (DecodeJob j : jobs) {
      j.closeIfIdle();
    }
    recognizers.closeIdle(true);
  }

  /** True if a decoding thread was written off: its native call may still use the model, so keep the model. */
  public boolean anyWrittenOff() {
    return meters.writtenOff() > 0;
  }

  /** One decoding thread: takes the next ready stream, runs one turn, and again. */
  private final class DecodingThread implements Runnable {
    volatile DecodeJob current;
    volatile long turnStarted;
    volatile boolean writtenOff;
    private volatile Thread thread;

    @Override
    public void run() {
      thread = Thread.currentThread();
      while (!closed && !writtenOff) {
        DecodeJob job;
        try {
          job = ready.take();
        } catch (InterruptedException e) {
          return; // close()
        }
        long t0 = clock.getAsLong();
        current = job;
        turnStarted = t0;
        meters.busy(1);
        try {
          job.turn(() -> writtenOff);
        } finally {
          turnStarted = 0;
          current = null;
          meters.busy(-1);
          long spent = clock.getAsLong() - t0;
          meters.busyNanos(spent);
          busyNanos.addAndGet(spent);
        }
      }
    }

    void stop() {
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }

    void awaitStop(long millis) {
      Thread t = thread;
      if (t != null) {
        try {
          t.join(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
