package dev.hark.asr;

import dev.hark.metrics.HarkMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recognizer's meters: streams, live recognizers, decode lag, how busy the decoding threads are, and how fast
 * they decode (real-time factor: wall time of a turn per second of its audio).
 */
final class DecodeMeters {
  static final int RTF_WINDOW_S = 5;
  private final AtomicInteger busy = new AtomicInteger();
  private final AtomicInteger live = new AtomicInteger();
  private final AtomicLong writtenOff = new AtomicLong();
  private final AtomicLong closedSinceTrim = new AtomicLong();
  private final Counter busySeconds;
  private final Counter audioSeconds;
  private final Counter failures;
  private final Counter finals;
  private final Counter partials;
  private final Timer lag;
  /** Decoding time over audio decoded in the last window, as a ratio; written by the scheduler's timer. */
  private volatile double realtimeFactor;
  private final AtomicLong audioNanos = new AtomicLong();
  private final AtomicLong decodingNanos = new AtomicLong();
  private long windowAudioNanos;
  private long windowDecodingNanos;

  DecodeMeters(String engine, int threads, HarkMetrics metrics, DecodeScheduler scheduler, RecognizerPool pool) {
    MeterRegistry reg = metrics.registry();
    Gauge.builder("asr.recognizers.spare", pool::spares).tag("engine", engine)
        .description("Recognizers reset and kept for the next streams (each holds its native memory)").register(reg);
    FunctionCounter.builder("asr.recognizers.opened", pool, RecognizerPool::opened).tag("engine", engine)
        .description("Recognizers opened new for a stream (no spare was there)").register(reg);
    FunctionCounter.builder("asr.recognizers.reused", pool, RecognizerPool::reused).tag("engine", engine)
        .description("Streams that started on a spare recognizer").register(reg);
    Gauge.builder("asr.streams.active", scheduler::streams).tag("engine", engine)
        .description("Source streams being recognized").register(reg);
    Gauge.builder("asr.recognizers.live", live::get).tag("engine", engine)
        .description("Stream recognizers open (each holds its native memory)").register(reg);
    Gauge.builder("asr.decoding.threads", () -> threads).tag("engine", engine)
        .description("Decoding threads (--asr-workers)").register(reg);
    Gauge.builder("asr.decoding.threads.busy", busy::get).tag("engine", engine)
        .description("Decoding threads in a turn now").register(reg);
    Gauge.builder("asr.decode.lag.max", () -> scheduler.maxLagMs() / 1000.0).tag("engine", engine).baseUnit("seconds")
        .description("The largest decode lag of any stream now: audio queued or in a turn, not yet decoded")
        .register(reg);
    busySeconds = Counter.builder("asr.decoding.busy.seconds").tag("engine", engine)
        .description("Time decoding threads spent in turns; its rate over asr_decoding_threads is utilisation")
        .register(reg);
    audioSeconds = Counter.builder("asr.audio.seconds").tag("engine", engine)
        .description("Audio the recognizer has decoded").register(reg);
    failures = Counter.builder("asr.errors").tag("engine", engine)
        .description("Streams whose recognizer failed or hung").register(reg);
    Gauge.builder("asr.decoding.threads.written.off", writtenOff::get).tag("engine", engine)
        .description("Decoding threads given up on as hung and replaced").register(reg);
    finals = Counter.builder("asr.results").tag("engine", engine).tag("final", "true")
        .description("Results sent to clients").register(reg);
    partials = Counter.builder("asr.results").tag("engine", engine).tag("final", "false")
        .description("Results sent to clients").register(reg);
    // A Timer, not a DistributionSummary: a summary's fixed buckets round values up to whole units.
    lag = Timer.builder("asr.decode.lag").tag("engine", engine)
        .description("A stream's decode lag at the start of each of its turns")
        .serviceLevelObjectives(millis(50), millis(100), millis(200), millis(500), millis(1000), millis(2000),
            millis(5000), millis(10000))
        .register(reg);
    Gauge.builder("asr.realtime.factor", () -> realtimeFactor).tag("engine", engine)
        .description("Decoding time per second of audio decoded, over the last " + RTF_WINDOW_S + " s").register(reg);
  }

  void busy(int delta) {
    busy.addAndGet(delta);
  }

  void busyNanos(long nanos) {
    busySeconds.increment(nanos / 1e9);
  }

  void recognizerOpened() {
    live.incrementAndGet();
  }

  /** A stream let go of its recognizer: {@code closed} if it was freed rather than kept as a spare. */
  void recognizerReleased(boolean closed) {
    live.decrementAndGet();
    if (closed) {
      closedSinceTrim.incrementAndGet();
    }
  }

  /** Spares closed after waiting too long. */
  void sparesClosed(int n) {
    closedSinceTrim.addAndGet(n);
  }

  /** Recognizers closed since the last call. */
  long takeClosedSinceTrim() {
    return closedSinceTrim.getAndSet(0);
  }

  void lag(long ms) {
    lag.record(ms, TimeUnit.MILLISECONDS);
  }

  void decoded(long audio, long wallNanos) {
    audioSeconds.increment(audio / 1e9);
    audioNanos.addAndGet(audio);
    decodingNanos.addAndGet(wallNanos);
  }

  /** Closes a window of the real-time factor; called every {@link #RTF_WINDOW_S} seconds by one timer thread. */
  void updateRealtimeFactor() {
    long audio = audioNanos.get();
    long decoding = decodingNanos.get();
    if (audio > windowAudioNanos) {
      realtimeFactor = (double) (decoding - windowDecodingNanos) / (audio - windowAudioNanos);
    }
    windowAudioNanos = audio;
    windowDecodingNanos = decoding;
  }

  private static Duration millis(long ms) {
    return Duration.ofMillis(ms);
  }

  void result(boolean isFinal) {
    (isFinal ? finals : partials).increment();
  }

  void failed() {
    failures.increment();
  }

  void threadWrittenOff() {
    writtenOff.incrementAndGet();
  }

  long writtenOff() {
    return writtenOff.get();
  }
}
