package dev.hark.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One load run of {@code hark bench}: N sessions of S sources from this one process, paced at real time or flat out,
 * with the server's own numbers scraped from its {@code /metrics} before and after.
 */
public final class BenchRun {
  /**
   * What to run. {@code audio} may be null for a synthetic tone; {@code serverPid} null to use /metrics;
   * {@code token} null for none; {@code reference} the words of one pass of {@code audio}, or null not to count word
   * errors (the duration is then a whole number of passes).
   */
  public record Config(URI url, URI metricsUrl, int sessions, int sources, Duration duration, boolean paced,
      boolean binary, Duration ramp, int chunkMs, Long serverPid, PcmAudio audio, Mode mode, String token,
      String reference) {}

  /** Whether sessions speak the whole protocol, send nothing (heap per idle session), or talk to a bare peer. */
  public enum Mode {
    /** start, ready, audio, stop, stopped. */
    FULL,
    /** start and ready, then no audio until stop. */
    IDLE,
    /**
     * A peer, a server that speaks only the audio message (no ready, no stopped): audio right after start; stop and
     * close.
     */
    PEER
  }

  /** Distinct chunks of the synthetic tone; a --file is sent whole (up to MAX_FILE_CHUNKS), then looped. */
  private static final int DISTINCT_CHUNKS = 50;
  private static final int MAX_FILE_CHUNKS = 30_000;

  final LongAdder framesSent = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder connectErrors = new LongAdder();
  final LongAdder lateTicks = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder backpressureStatuses = new LongAdder();
  /** source_dropped statuses: whole sources the server shed. */
  final LongAdder sourcesShed = new LongAdder();
  /** Sessions whose stopped counted any frame dropped. */
  long sessionsLosingAudio;
  /**
   * Sessions that lost audio only as whole sources shed (and told {@code source_dropped}); the others that lost
   * any lost part of a stream they kept: what overload control exists to prevent.
   */
  long sessionsShedWhole;
  final LongAdder sessionsUp = new LongAdder();
  /** Word errors of the sessions that stopped, when the run has a reference. */
  final SessionWordErrors wordErrors = new SessionWordErrors();
  final ValueRecorder stopLatency = new ValueRecorder(TimeUnit.MINUTES.toNanos(5));
  final ValueRecorder finalLatency = new ValueRecorder(TimeUnit.MINUTES.toNanos(5));
  final ValueRecorder partialLatency = new ValueRecorder(TimeUnit.MINUTES.toNanos(5));
  /** Per paced session, wall time of its audio over the audio's duration: 1.0 is real time, more is a slow client. */
  private final ValueRecorder pacePermille = new ValueRecorder(1_000_000);
  private final AtomicInteger sending = new AtomicInteger();
  private volatile int peakSending;
  /** This process's CPU while every session was sending: the generator's own cost, without connects and JIT. */
  final SteadyWindow steady = new SteadyWindow();
  private final Config config;
  /** Per source, the distinct chunks as ready-to-write WebSocket frames (JSON or binary as configured). */
  private final ByteBuf[][] frames;
  private final String start;
  private final Map<Integer, LongAdder> refusedByStatus = new ConcurrentHashMap<>();
  private final Map<EventLoop, PacedClock> clocks = new ConcurrentHashMap<>();

  public BenchRun(Config config) {
    this.config = config;
    int rate = config.audio() == null ? 16000 : config.audio().sampleRate();
    int bytes = rate * config.chunkMs() / 1000 * 2;
    byte[] pcm = config.audio() == null ? PcmAudio.tone(rate, bytes * DISTINCT_CHUNKS) : config.audio().pcm();
    int chunks = Math.max(1, Math.min(config.audio() == null ? DISTINCT_CHUNKS : MAX_FILE_CHUNKS, pcm.length / bytes));
    frames = new ByteBuf[config.sources()][chunks];
    List<String> names = new ArrayList<>();
    for (int s = 0; s < config.sources(); s++) {
      names.add(sourceName(s));
    }
    for (int s = 0; s < config.sources(); s++) {
      for (int k = 0; k < chunks; k++) {
        frames[s][k] = config.binary()
            ? WireFrames.binary(Messages.binary(s, pcm, k * bytes, (k + 1) * bytes))
            : WireFrames.text("{\"type\":\"audio\",\"source\":\"" + names.get(s) + "\",\"data\":\""
                + Base64.getEncoder().encodeToString(Arrays.copyOfRange(pcm, k * bytes, (k + 1) * bytes)) + "\"}");
      }
    }
    start = Messages.start(rate, names, null);
  }

  static String sourceName(int index) {
    return index == 0 ? "mic" : index == 1 ? "system" : "source" + index;
  }

  boolean countsWordErrors() {
    return config.reference() != null;
  }

  /** The reference for all the audio one session sends: one pass's words for each whole pass. */
  private String expectedWords() {
    long passes = Math.max(1, Math.round(config.duration().toMillis() / (double) config.audio().durationMs()));
    return (config.reference() + " ").repeat((int) passes);
  }

  String startMessage() {
    return start;
  }

  int sources() {
    return config.sources();
  }

  boolean paced() {
    return config.paced();
  }

  long chunkNanos() {
    return config.chunkMs() * 1_000_000L;
  }

  long durationNanos() {
    return config.duration().toNanos();
  }

  Mode mode() {
    return config.mode();
  }

  long chunksPerSession() {
    return Math.max(1, config.duration().toMillis() / config.chunkMs());
  }

  ByteBuf chunk(int source, long n) {
    return frames[source][(int) (n % frames[source].length)];
  }

  /** The paced clock of a session's event loop; called on that loop. */
  PacedClock clock(EventLoop loop) {
    return clocks.computeIfAbsent(loop, l -> new PacedClock(l, config.chunkMs()));
  }

  /** A refused upgrade, by HTTP status (0 if unknown). */
  void refused(int status) {
    refused.increment();
    refusedByStatus.computeIfAbsent(status, k -> new LongAdder()).increment();
  }

  /** Refusals as "status:count" pairs, e.g. "429:936", or "" if none. */
  String refusedByStatus() {
    return refusedByStatus.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + ":" + e.getValue().sum()).collect(Collectors.joining(","));
  }

  /** Whether every frame a session's {@code stopped} counts as dropped was dropped because its source was shed. */
  @SuppressWarnings("unchecked") // the parser's objects are Map<String, Object>
  private static boolean lostOnlyToSheds(Map<String, Object> stats) {
    for (Object source : JsonObjects.obj(stats, "sources").values()) {
      Map<String, Object> reasons = JsonObjects.obj((Map<String, Object>) source, "dropped_by_reason");
      for (Map.Entry<String, Object> r : reasons.entrySet()) {
        if (!r.getKey().equals("source_shed") && r.getValue() instanceof Number n && n.longValue() > 0) {
          return false;
        }
      }
    }
    return true;
  }

  void sessionReady() {
    sessionsUp.increment();
  }

  void status(Map<String, Object> m) {
    if ("backpressure".equals(m.get("state"))) {
      backpressureStatuses.increment();
    } else if ("source_dropped".equals(m.get("state"))) {
      sourcesShed.increment();
    }
  }

  void sendingStarted() {
    int now = sending.incrementAndGet();
    if (now > peakSending) {
      peakSending = now;
    }
    if (now == config.sessions()) {
      steady.begin();
    }
  }

  synchronized void sendingFinished(long spanNanos, boolean complete) {
    steady.end();
    sending.decrementAndGet();
    long expected = (chunksPerSession() - 1) * chunkNanos();
    if (complete && config.paced() && expected > 0 && spanNanos > 0) {
      pacePermille.record(spanNanos * 1000 / expected);
    }
  }

  int peakSending() {
    return peakSending;
  }

  ValueRecorder pacePermille() {
    return pacePermille;
  }

  /** Wall time from the end of a result's audio being sent to the result's arrival (paced sessions). */
  void resultLatency(boolean isFinal, long nanos) {
    (isFinal ? finalLatency : partialLatency).record(nanos);
  }

  void stopLatency(long nanos) {
    stopLatency.record(nanos);
  }

  /** Runs the load; {@code progress} gets a one-line summary every second (or is null). */
  public BenchResult run(Consumer<String> progress) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    // Bare peers speak no HTTP: only /proc is read for them.
    ServerProbe probe = new ServerProbe(http, config.mode() == Mode.PEER ? null : config.metricsUrl(),
        config.serverPid());
    ServerProbe.Sample before = probe.sample();
    long clientCpu0 = ServerProbe.ownCpuNanos();
    long t0 = System.nanoTime();
    List<BenchSession> sessions = new ArrayList<>();
    BenchTransport transport = new BenchTransport(config.url(), config.sessions(), config.token());
    long rampNanos = config.ramp().toNanos();
    for (int i = 0; i < config.sessions(); i++) {
      // Paced sessions tick in different milliseconds of the chunk period, so the load is spread evenly.
      BenchSession s = new BenchSession(this, i % config.chunkMs());
      sessions.add(s);
      long at = config.sessions() == 1 ? 0 : rampNanos * i / (config.sessions() - 1);
      transport.connect(s, at);
    }
    long end = t0 + rampNanos + config.duration().toNanos() - 1_000_000_000L;
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      if (progress != null) {
        progress.accept(String.format("sessions up %d/%d, %.0f frames/s sent, %d backpressure statuses, %d refused",
            sessionsUp.sum(), config.sessions(), framesSent.sum() / ((System.nanoTime() - t0) / 1e9),
            backpressureStatuses.sum(), refused.sum()));
      }
    }
    // Paced sessions that started late in the ramp, or were pushed back, still have audio to send: let them finish.
    try {
      CompletableFuture.allOf(sessions.stream().map(BenchSession::sendingDone).toArray(CompletableFuture[]::new))
          .get(config.duration().toSeconds() + 30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      errors.increment();
    }
    List<CompletableFuture<Map<String, Object>>> stops = sessions.stream().map(BenchSession::stop).toList();
    long dropped = 0;
    long accepted = 0;
    String expected = countsWordErrors() ? expectedWords() : null;
    // One deadline for all: a server that never answers costs two minutes, not two minutes a session.
    long stopDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (int i = 0; i < stops.size(); i++) {
      try {
        Map<String, Object> stats = stops.get(i).get(Math.max(0, stopDeadline - System.nanoTime()),
            TimeUnit.NANOSECONDS);
        if (stats != null) {
          long lost = JsonObjects.num(stats, "frames_dropped");
          dropped += lost;
          if (lost > 0) {
            sessionsLosingAudio++;
            if (lostOnlyToSheds(stats)) {
              sessionsShedWhole++;
            }
          }
          accepted += JsonObjects.num(stats, "frames_accepted");
          if (expected != null) {
            wordErrors.add(WordErrors.of(expected, sessions.get(i).heard()), lost == 0);
          }
        }
      } catch (ExecutionException | TimeoutException e) {
        errors.increment(); // a session that never said stopped, or did not in time: counted, the rest go on
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    long clientCpu = ServerProbe.ownCpuNanos() - clientCpu0;
    ServerProbe.Sample after = probe.sample();
    clocks.forEach((loop, clock) -> loop.execute(clock::stop));
    transport.close();
    releaseFrames();
    synchronized (this) {
      return BenchResult.of(config, this, before, after, wall, clientCpu / 1e9, accepted, dropped);
    }
  }

  /** The shared frames' bytes go back once no socket can write them any more. */
  private void releaseFrames() {
    for (ByteBuf[] source : frames) {
      for (ByteBuf f : source) {
        f.unwrap().release(); // the frames are unreleasable wrappers (see WireFrames); this frees what they wrap
      }
    }
  }
}
