package dev.hark.client;

/** This process's CPU over one window of a run (opened once, closed once), in cores. */
final class SteadyWindow {
  private long cpu0;
  private long t0;
  private double cores = Double.NaN;

  synchronized void begin() {
    if (t0 == 0) {
      t0 = System.nanoTime();
      cpu0 = ServerProbe.ownCpuNanos();
    }
  }

  synchronized void end() {
    long wall = System.nanoTime() - t0;
    // Windows under a second are mostly scheduling noise: leave them unmeasured.
    if (t0 != 0 && Double.isNaN(cores) && wall > 1_000_000_000L) {
      cores = (ServerProbe.ownCpuNanos() - cpu0) / (double) wall;
    }
  }

  synchronized double cores() {
    return cores;
  }
}
