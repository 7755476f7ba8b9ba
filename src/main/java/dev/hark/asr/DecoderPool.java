package dev.hark.asr;

import dev.hark.ingest.PcmStream;
import dev.hark.metrics.HarkMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine over a fixed number of pre-loaded decoders, the scarce resource: a stream waits (and its source keeps
 * queueing under its overflow policy) until one is free. Decoding runs on platform threads, because it is
 * CPU-bound and would starve the virtual threads' carriers. A decoder that throws, or leaves queued audio unread
 * past the stall timeout, fails only its own stream and is replaced by a freshly loaded one.
 */
public final class DecoderPool implements AsrEngine {
  private static final Logger log = LoggerFactory.getLogger(DecoderPool.class);
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private final String name;
  private final Decoder.Factory factory;
  private final long stallNanos;
  private final LinkedBlockingQueue<Decoder> idle = new LinkedBlockingQueue<>();
  private final AtomicInteger busy = new AtomicInteger();
  private final AtomicInteger decoderThreads = new AtomicInteger();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "asr-decoder-" + decoderThreads.incrementAndGet());
    t.setDaemon(true);
    return t;
  });
  private final Counter errors;
  private final Counter replaced;
  private final Counter finals;
  private final Counter partials;
  private final DistributionSummary rtf;
  private final Counter cpuSeconds;
  private final Counter audioSeconds;
  private volatile boolean closed;

  /** Loads {@code size} decoders, in parallel, before returning. */
  public DecoderPool(String name, Decoder.Factory factory, int size, AsrSettings settings, HarkMetrics metrics)
      throws Exception {
    this.name = name;
    this.factory = factory;
    this.stallNanos = settings.stallTimeout().toNanos();
    var reg = metrics.registry();
    errors = Counter.builder("asr.errors").description("Decoders that failed or hung").tag("engine", name).register(reg);
    replaced = Counter.builder("asr.decoders.replaced").description("Decoders reloaded after a failure")
        .tag("engine", name).register(reg);
    finals = Counter.builder("asr.results").tag("engine", name).tag("final", "true")
        .description("Results sent to clients").register(reg);
    partials = Counter.builder("asr.results").tag("engine", name).tag("final", "false")
        .description("Results sent to clients").register(reg);
    rtf = DistributionSummary.builder("asr.realtime.factor").tag("engine", name)
        .description("Decoder CPU time per second of audio, per final result")
        .serviceLevelObjectives(0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0).register(reg);
    cpuSeconds = Counter.builder("asr.decoder.cpu.seconds").tag("engine", name)
        .description("CPU time decoders spent on streams").register(reg);
    audioSeconds = Counter.builder("asr.audio.seconds").tag("engine", name)
        .description("Audio decoders have read").register(reg);
    Gauge.builder("asr.decoders.busy", busy::get).tag("engine", name).description("Decoders decoding a stream").register(reg);
    Gauge.builder("asr.decoders.idle", idle::size).tag("engine", name).description("Decoders free").register(reg);
    List<Future<Decoder>> loading = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      loading.add(threads.submit(factory::create));
    }
    for (Future<Decoder> f : loading) {
      try {
        idle.add(f.get());
      } catch (ExecutionException e) {
        close();
        throw new IllegalStateException("cannot load a " + name + " decoder: " + e.getCause(), e.getCause());
      }
    }
    log.info("{}: {} decoder(s) loaded", name, size);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void recognize(PcmStream audio, TranscriptListener results) throws Exception {
    Decoder d = idle.poll();
    if (d == null) {
      results.waitingForDecoder(true);
      d = idle.take();
      results.waitingForDecoder(false);
    }
    busy.incrementAndGet();
    audio.markProgress();
    boolean healthy = false;
    try {
      Decoder decoder = d;
      Future<?> run = threads.submit(() -> {
        long cpu0 = CPU.getCurrentThreadCpuTime();
        long samples0 = audio.samplesRead();
        try {
          decoder.decode(audio, metered(audio, results));
        } finally {
          cpuSeconds.increment((CPU.getCurrentThreadCpuTime() - cpu0) / 1e9);
          audioSeconds.increment((audio.samplesRead() - samples0) / (double) audio.sampleRate());
        }
        return null;
      });
      healthy = await(run, audio);
    } finally {
      busy.decrementAndGet();
      if (healthy) {
        idle.add(d);
      } else {
        replace(d);
      }
    }
  }

  /** Waits for a decode to end; true if the decoder can be reused, or throws its failure. */
  private boolean await(Future<?> run, PcmStream audio) throws Exception {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          run.get(200, TimeUnit.MILLISECONDS);
          return true;
        } catch (TimeoutException e) {
          if (audio.stalledNanos() > stallNanos) {
            run.cancel(true);
            errors.increment();
            throw new DecoderHungException(name + " decoder left audio unread for "
                + audio.stalledNanos() / 1_000_000 + " ms; it was replaced");
          }
        } catch (ExecutionException e) {
          errors.increment();
          throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          // The session is gone and its queue ended: the decoder sees the end of its stream shortly. Wait for it
          // without cancelling: an interrupted decode would have to be thrown away and reloaded (seconds of CPU),
          // and a client could force that at will by connecting and dropping. The stall check bounds the wait.
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private TranscriptListener metered(PcmStream audio, TranscriptListener out) {
    return new TranscriptListener() {
      private long cpuAtLast = CPU.getCurrentThreadCpuTime();
      private long samplesAtLast;

      @Override
      public void onResult(String text, boolean isFinal, long startMs, long endMs) {
        if (isFinal) {
          finals.increment();
          long cpu = CPU.getCurrentThreadCpuTime();
          long samples = audio.samplesRead();
          if (samples > samplesAtLast) {
            rtf.record((cpu - cpuAtLast) / 1e9 / ((samples - samplesAtLast) / (double) audio.sampleRate()));
          }
          cpuAtLast = cpu;
          samplesAtLast = samples;
        } else {
          partials.increment();
        }
        out.onResult(text, isFinal, startMs, endMs);
      }
    };
  }

  private void replace(Decoder broken) {
    replaced.increment();
    threads.submit(() -> {
      try {
        broken.close();
      } catch (Exception e) {
        log.warn("{}: closing a broken decoder failed: {}", name, e.toString());
      }
      return null;
    });
    Thread.ofPlatform().daemon().name("asr-reload").start(this::reload);
  }

  private void reload() {
    for (int attempt = 1; !closed; attempt++) {
      try {
        idle.add(factory.create());
        log.info("{}: a replacement decoder is loaded", name);
        return;
      } catch (Exception e) {
        log.error("{}: loading a replacement decoder failed (attempt {}): {}", name, attempt, e.toString());
        try {
          Thread.sleep(Math.min(30_000, 1000L * attempt));
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    Decoder d;
    while ((d = idle.poll()) != null) {
      try {
        d.close();
      } catch (Exception e) {
        log.warn("{}: closing a decoder failed: {}", name, e.toString());
      }
    }
    threads.shutdownNow();
  }

  /** Thrown for a stream whose decoder stopped reading it. */
  public static final class DecoderHungException extends Exception {
    DecoderHungException(String message) {
      super(message);
    }
  }
}
