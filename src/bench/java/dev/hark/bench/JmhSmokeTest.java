package dev.hark.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every JMH benchmark once, briefly, in this JVM, so they keep compiling and running. Real runs: scripts/jmh.sh.
 */
class JmhSmokeTest {
  @Test
  void everyBenchmarkRunsOnce() throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include("dev\\.hark\\..*Bench")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .shouldFailOnError(true)
        .build()).run();
    assertThat(results).hasSizeGreaterThanOrEqualTo(2 + 3 * 2 + 1);
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getScore()).isPositive();
    }
  }
}
