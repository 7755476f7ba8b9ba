package dev.hark.metrics;

import dev.hark.protocol.DropReason;
import dev.hark.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hark's meters in one Prometheus registry, the only global mutable state the server has. Meters are created
 * once and cached; a meter that cannot be registered is replaced by a detached one, so ingest never fails on
 * metrics.
 */
public final class HarkMetrics {
  /** Source labels are client-chosen names; past this many distinct ones they are counted as "other". */
  public static final int MAX_SOURCE_LABELS = 32;

  private static final Logger log = LoggerFactory.getLogger(HarkMetrics.class);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MeterRegistry detached = new SimpleMeterRegistry();
  private final Map<String, SourceMeters> sources = new ConcurrentHashMap<>();
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Map<String, Counter> messagesDropped = new ConcurrentHashMap<>();
  private final Counter decodeErrors;
  private final Counter messagesReceived;
  private final Counter sessionsTotal;
  private final Map<String, Counter> sessionsRefused = new ConcurrentHashMap<>();
  private final Map<String, Counter> resumes = new ConcurrentHashMap<>();
  private final Map<String, Counter> connectionsClosed = new ConcurrentHashMap<>();
  private final Map<String, Counter> httpRejected = new ConcurrentHashMap<>();
  private final Counter idleClosed;
  private final Counter backpressureEpisodes;
  private final Map<String, Counter> sourcesShed = new ConcurrentHashMap<>();
  private final Counter sourcesRestored;
  private final Counter readPauses;
  private final Counter seqMissing;
  private final Timer queueWait;

  public HarkMetrics() {
    for (ErrorCode c : ErrorCode.values()) {
      errors.put(c, counter("protocol.errors", "Client messages answered with an error, by code", "code", c.wire()));
    }
    decodeErrors = counter("audio.decode.errors", "Audio chunks that could not be decoded (bad_audio, bad_base64)");
    messagesReceived = counter("messages.received", "Client data messages (text or binary) read from open sessions");
    sessionsTotal = counter("sessions.started", "Sessions opened since start");
    idleClosed = counter("connections.idle.closed", "Connections closed after --idle-timeout-s with nothing received");
    backpressureEpisodes = counter("backpressure.episodes", "Times a source started dropping chunks");
    sourcesRestored = counter("sources.restored", "Shed sources taken in again");
    readPauses = counter("socket.read.pauses", "Times a block-policy session stopped reading its socket");
    seqMissing = counter("audio.seq.missing", "Chunks the clients' seq numbers say never arrived");
    queueWait = safely(() -> Timer.builder("audio.queue.wait")
        .description("Time from enqueue to the recognizer reading the chunk")
        .serviceLevelObjectives(ms(1), ms(2), ms(5), ms(10), ms(20), ms(50), ms(100), ms(250), ms(500),
            ms(1000), ms(2500), ms(5000), ms(10000))
        .register(registry), () -> Timer.builder("audio.queue.wait").register(detached));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      safely(() -> FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
          .description("CPU time of the whole server process (user and system)").register(registry), () -> null);
    }
    gauge("process.pid", "The server's process id, for load generators that read /proc", ProcessHandle.current()::pid);
  }

  /** The meters for chunks of sources with this name. */
  public SourceMeters source(String name) {
    SourceMeters m = sources.get(name);
    if (m != null) {
      return m;
    }
    String label = sources.size() < MAX_SOURCE_LABELS ? name : "other";
    return sources.computeIfAbsent(label, this::newSourceMeters);
  }

  private SourceMeters newSourceMeters(String label) {
    Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      dropped.put(r, counter("audio.frames.dropped", "Audio chunks dropped, by source and reason",
          "source", label, "reason", r.wire()));
    }
    return new SourceMeters(
        counter("audio.frames.received", "Valid audio chunks received (accepted or not)", "source", label),
        counter("audio.bytes.received", "Decoded PCM bytes received", "source", label),
        counter("audio.frames.consumed", "Audio chunks delivered to the recognizer", "source", label),
        dropped);
  }

  public void protocolError(ErrorCode code) {
    errors.get(code).increment();
    if (code == ErrorCode.BAD_AUDIO || code == ErrorCode.BAD_BASE64) {
      decodeErrors.increment();
    }
  }

  public void messageDropped(String type) {
    messagesDropped.computeIfAbsent(type, t -> counter("server.messages.dropped",
        "Messages to clients dropped because the client was not reading", "type", t)).increment();
  }

  public void messageReceived() {
    messagesReceived.increment();
  }

  public void sessionStarted() {
    sessionsTotal.increment();
  }

  /** An upgrade refused: unavailable (full or draining), unauthorized, origin, per_ip. */
  public void sessionRefused(String reason) {
    sessionsRefused.computeIfAbsent(reason, r -> counter("sessions.refused",
        "WebSocket upgrades refused, by reason (unavailable, unauthorized, origin, per_ip)", "reason", r)).increment();
  }

  /**
   * What became of a session whose connection was lost, or of a resume: detached (it waits), resumed, expired (its
   * window passed), unknown or denied (a resume refused).
   */
  public void resume(String outcome) {
    resumes.computeIfAbsent(outcome, o -> counter("sessions.resumes", "Sessions left by their connection and "
        + "resumes, by outcome (detached, resumed, expired, unknown, denied)", "outcome", o)).increment();
  }

  /** A malformed HTTP request answered with a 4xx and a closed connection, by its error code. */
  public void httpRequestRejected(String reason) {
    httpRejected.computeIfAbsent(reason, r -> counter("http.requests.rejected",
        "Malformed HTTP requests answered with a 4xx, by error code", "reason", r)).increment();
  }

  /** A connection the server closed on a limit: unread, pipeline, flood, max_duration, slow_request, tls. */
  public void connectionClosed(String reason) {
    connectionsClosed.computeIfAbsent(reason, r -> counter("connections.closed",
        "Connections the server closed on a limit, by reason", "reason", r)).increment();
  }

  public void idleClosed() {
    idleClosed.increment();
  }

  public void backpressureEpisode() {
    backpressureEpisodes.increment();
  }

  public void sourceShed(String reason) {
    sourcesShed.computeIfAbsent(reason, r -> counter("sources.shed", "Whole sources shed, by reason (buffer_budget, "
        + "asr_capacity)", "reason", r)).increment();
  }

  public void sourceRestored() {
    sourcesRestored.increment();
  }

  public void readPaused() {
    readPauses.increment();
  }

  public void seqMissing(long frames) {
    seqMissing.increment((double) frames);
  }

  public void queueWait(long nanos) {
    queueWait.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Registers a gauge read at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value, String... tags) {
    safely(() -> Gauge.builder(name, value).description(description).tags(tags).register(registry), () -> null);
  }

  /** The registry, for engines that add meters of their own. */
  public MeterRegistry registry() {
    return registry;
  }

  /** All meters in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  private Counter counter(String name, String description, String... tags) {
    return safely(() -> Counter.builder(name).description(description).tags(tags).register(registry),
        () -> Counter.builder(name).tags(tags).register(detached));
  }

  private static <T> T safely(Supplier<T> create, Supplier<T> fallback) {
    try {
      return create.get();
    } catch (RuntimeException e) {
      log.warn("metric could not be registered, counting it off the record: {}", e.toString());
      return fallback.get();
    }
  }

  private static Duration ms(long n) {
    return Duration.ofMillis(n);
  }
}
