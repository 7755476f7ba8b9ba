package dev.hark.client;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Values recorded from many event loops at once into an HdrHistogram {@link Recorder} (no lock on the recording
 * side). A value past the highest trackable one is recorded as that highest value and counted, never clamped
 * silently; a negative one counts as 0.
 */
final class ValueRecorder {
  private final long highest;
  private final Recorder recorder;
  private final LongAdder overRange = new LongAdder();
  private final Histogram total;

  ValueRecorder(long highestTrackable) {
    this.highest = highestTrackable;
    this.recorder = new Recorder(highestTrackable, 3);
    this.total = new Histogram(highestTrackable, 3);
  }

  void record(long value) {
    long v = Math.max(0, value);
    if (v > highest) {
      overRange.increment();
      v = highest;
    }
    recorder.recordValue(v);
  }

  /** Everything recorded so far. */
  synchronized Histogram histogram() {
    total.add(recorder.getIntervalHistogram());
    return total;
  }

  /** Values that were past the highest trackable value. */
  long overRange() {
    return overRange.sum();
  }
}
