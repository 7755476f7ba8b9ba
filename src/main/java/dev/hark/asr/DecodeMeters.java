package dev.hark.asr;

import dev.hark.metrics.HarkMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recognizer's meters: streams, live recognizers, decode lag, how busy the decoding threads are, and how fast
 * they decode (real-time factor: wall time of a turn per second of its audio).
 */
final class DecodeMeters {
  private final AtomicInteger busy = new AtomicInteger();
  private final AtomicInteger live = new AtomicInteger();
  private final AtomicLong writtenOff = new AtomicLong();
  private final AtomicLong closedSinceTrim = new AtomicLong();
  private final Counter busySeconds;
  private final Counter audioSeconds;
  private final Counter failures;
  private final Counter finals;
  private final Counter partials;
  private final DistributionSummary lag;
  private final DistributionSummary rtf;

  DecodeMeters(String engine, int threads, HarkMetrics metrics, DecodeScheduler scheduler) {
    MeterRegistry reg = metrics.registry();
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
    lag = DistributionSummary.builder("asr.decode.lag").tag("engine", engine).baseUnit("seconds")
        .description("A stream's decode lag at the start of each of its turns")
        .serviceLevelObjectives(0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10).register(reg);
    rtf = DistributionSummary.builder("asr.realtime.factor").tag("engine", engine)
        .description("Wall time of a decoding turn per second of its audio")
        .serviceLevelObjectives(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0).register(reg);
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

  void recognizerClosed() {
    live.decrementAndGet();
    closedSinceTrim.incrementAndGet();
  }

  /** Recognizers closed since the last call. */
  long takeClosedSinceTrim() {
    return closedSinceTrim.getAndSet(0);
  }

  void lag(long ms) {
    lag.record(ms / 1000.0);
  }

  void decoded(long audioNanos, long wallNanos) {
    audioSeconds.increment(audioNanos / 1e9);
    rtf.record((double) wallNanos / audioNanos);
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
