package dev.hark.client;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** What a {@link BenchRun} measured, as named numbers in a fixed order (for the table and for {@code --json}). */
public record BenchResult(Map<String, Object> values) {

  static BenchResult of(BenchRun.Config c, BenchRun run, ServerProbe.Sample before, ServerProbe.Sample after,
      double wall, double clientCpu, long accepted, long dropped) {
    Histogram pace = run.pacePermille().histogram();
    Histogram finals = run.finalLatency.histogram();
    Histogram partials = run.partialLatency.histogram();
    Histogram stopLatency = run.stopLatency.histogram();
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("sessions", c.sessions());
    v.put("sources", c.sources());
    v.put("mode", c.paced() ? "paced" : "flat");
    v.put("frames", c.binary() ? "binary" : "json");
    v.put("sessions_connected", run.sessionsUp.sum());
    v.put("sessions_refused", run.refused.sum());
    v.put("refused_http_statuses", run.refusedByStatus());
    v.put("connect_errors", run.connectErrors.sum());
    long sent = run.framesSent.sum();
    v.put("frames_sent", sent);
    v.put("frames_accepted", accepted);
    v.put("frames_dropped", dropped);
    v.put("backpressure_statuses", run.backpressureStatuses.sum());
    v.put("sources_shed", run.sourcesShed.sum());
    v.put("sessions_losing_audio", run.sessionsLosingAudio);
    v.put("sessions_shed_whole", run.sessionsShedWhole);
    v.put("sessions_losing_part", run.sessionsLosingAudio - run.sessionsShedWhole);
    v.put("late_ticks", run.lateTicks.sum());
    v.put("errors", run.errors.sum());
    v.put("wall_s", round(wall, 2));
    v.put("peak_sessions_sending", run.peakSending());
    if (c.paced()) {
      v.put("pace_p50", round(pace.getValueAtPercentile(50) / 1000.0, 3));
      v.put("pace_max", round(pace.getMaxValue() / 1000.0, 3));
    }
    if (finals.getTotalCount() > 0) {
      v.put("finals", finals.getTotalCount());
      v.put("final_latency_ms_p50", round(finals.getValueAtPercentile(50) / 1e6, 1));
      v.put("final_latency_ms_p95", round(finals.getValueAtPercentile(95) / 1e6, 1));
      v.put("final_latency_ms_max", round(finals.getMaxValue() / 1e6, 1));
    }
    if (partials.getTotalCount() > 0) {
      v.put("partial_latency_ms_p50", round(partials.getValueAtPercentile(50) / 1e6, 1));
      v.put("partial_latency_ms_p95", round(partials.getValueAtPercentile(95) / 1e6, 1));
    }
    if (run.wordErrors.sessions() > 0) {
      v.put("wer_pct", round(100 * run.wordErrors.all().rate(), 1));
      v.put("wer_pct_sessions_losing_nothing", round(100 * run.wordErrors.whole().rate(), 1));
      v.put("wer_pct_worst_session", round(100 * run.wordErrors.worst(), 1));
      v.put("reference_words", run.wordErrors.all().words());
    }
    v.put("stop_to_stopped_ms_p50", round(stopLatency.getValueAtPercentile(50) / 1e6, 2));
    v.put("stop_to_stopped_ms_p99", round(stopLatency.getValueAtPercentile(99) / 1e6, 2));
    v.put("stop_to_stopped_ms_max", round(stopLatency.getMaxValue() / 1e6, 2));
    // Values past a recorder's range (5 minutes; pace 1,000x) are recorded as its highest value, and counted here.
    v.put("latencies_over_range", run.pacePermille().overRange() + run.finalLatency.overRange()
        + run.partialLatency.overRange() + run.stopLatency.overRange());
    if (before.metrics() != null && after.metrics() != null) {
      PrometheusText a = after.metrics();
      PrometheusText b = before.metrics();
      v.put("server_frames_dropped",
          Math.round(a.value("audio_frames_dropped_total") - b.value("audio_frames_dropped_total")));
      v.put("server_rate_limited", Math.round(a.value("protocol_errors_total", "code", "rate_limited")
          - b.value("protocol_errors_total", "code", "rate_limited")));
      v.put("server_backpressure_episodes",
          Math.round(a.value("backpressure_episodes_total") - b.value("backpressure_episodes_total")));
      double decoded = a.value("asr_audio_seconds_total") - b.value("asr_audio_seconds_total");
      if (decoded > 0) {
        v.put("server_asr_realtime_factor", round(
            (a.value("asr_decoding_busy_seconds_total") - b.value("asr_decoding_busy_seconds_total")) / decoded, 3));
      }
      v.put("queue_wait_ms_p50", round(1000 * a.quantile("audio_queue_wait_seconds", 0.50, b), 2));
      v.put("queue_wait_ms_p99", round(1000 * a.quantile("audio_queue_wait_seconds", 0.99, b), 2));
      v.put("queue_wait_ms_max", round(1000 * a.value("audio_queue_wait_seconds_max"), 2));
    }
    double cpu = after.cpuSeconds() - before.cpuSeconds();
    if (!Double.isNaN(cpu)) {
      v.put("server_cpu_s", round(cpu, 3));
      v.put("server_us_per_frame", round(cpu / Math.max(1, sent) * 1e6, 2));
    }
    v.put("client_cpu_s", round(clientCpu, 3));
    v.put("client_cores", round(clientCpu / wall, 3));
    v.put("client_cores_steady", round(run.steady.cores(), 3));
    return new BenchResult(v);
  }

  static double round(double x, int places) {
    double f = Math.pow(10, places);
    return Double.isNaN(x) ? Double.NaN : Math.round(x * f) / f;
  }

  /** One JSON object. */
  public String json() {
    StringBuilder b = new StringBuilder("{");
    values.forEach((k, val) -> {
      b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":");
      boolean num = val instanceof Number n && !(n instanceof Double d && d.isNaN());
      b.append(num ? val : val instanceof Double ? "null" : "\"" + val + "\"");
    });
    return b.append('}').toString();
  }

  /** Aligned "name  value" lines. */
  public String table() {
    StringBuilder b = new StringBuilder();
    values.forEach((k, val) -> b.append(String.format("%-30s %s%n", k, val)));
    return b.toString();
  }
}
