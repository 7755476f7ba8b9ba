package dev.hark.client;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a server's CPU time (from /proc with a pid, else from its /metrics) and its metrics, around a run. */
final class ServerProbe {
  /** One look at the server: its scrape (null if unreachable) and CPU seconds (NaN if unknown). */
  record Sample(PrometheusText metrics, double cpuSeconds) {}

  private final HttpClient http;
  private final URI metricsUrl;
  private final Long pid;

  ServerProbe(HttpClient http, URI metricsUrl, Long pid) {
    this.http = http;
    this.metricsUrl = metricsUrl;
    this.pid = pid;
  }

  Sample sample() throws InterruptedException {
    PrometheusText m = null;
    try {
      m = metricsUrl == null ? null : PrometheusText.scrape(http, metricsUrl);
    } catch (IOException e) {
      // A server without /metrics is still measured through /proc when its pid is given.
    }
    double cpu = pid != null ? procCpuSeconds(pid) : m != null ? m.value("process_cpu_seconds_total") : Double.NaN;
    return new Sample(m, cpu);
  }

  /** utime + stime of a local process, from /proc/PID/stat. */
  static double procCpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  static long ownCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : 0;
  }
}
