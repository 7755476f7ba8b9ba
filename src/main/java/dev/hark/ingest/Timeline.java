package dev.hark.ingest;

/**
 * Maps positions in a stream that skips dropped chunks back to the source's timeline, which does not. Keeps one
 * segment per discontinuity, the most recent {@value #MAX_SEGMENTS}; a recognizer only asks about recent audio.
 */
final class Timeline {
  static final int MAX_SEGMENTS = 1024;

  // Guarded by this: the decoding thread appends, the session's thread maps results. Grown on demand: most sources
  // never drop, and two full rings would be 16 KiB a source, idle or not.
  private long[] streamStart = new long[2];
  private long[] timelineStart = new long[2];
  private int first;
  private int count;
  private volatile long streamSamples;
  private long nextTimeline = -1;

  /** A chunk of {@code samples} that starts at {@code timelineSample} was appended to the stream. */
  synchronized void append(long timelineSample, int samples) {
    if (timelineSample != nextTimeline) {
      if (count == streamStart.length && count < MAX_SEGMENTS) {
        grow();
      }
      int at = (first + count) % streamStart.length;
      if (count == streamStart.length) {
        first = (first + 1) % streamStart.length;
      } else {
        count++;
      }
      streamStart[at] = streamSamples;
      timelineStart[at] = timelineSample;
    }
    streamSamples += samples;
    nextTimeline = timelineSample + samples;
  }

  private void grow() {
    long[] s = new long[streamStart.length * 2];
    long[] t = new long[s.length];
    for (int i = 0; i < count; i++) {
      s[i] = streamStart[(first + i) % streamStart.length];
      t[i] = timelineStart[(first + i) % streamStart.length];
    }
    streamStart = s;
    timelineStart = t;
    first = 0;
  }

  long streamSamples() {
    return streamSamples;
  }

  synchronized long timelineSample(long streamSample) {
    if (count == 0) {
      return streamSample;
    }
    for (int i = count - 1; i >= 0; i--) {
      int at = (first + i) % streamStart.length;
      if (streamStart[at] <= streamSample || i == 0) {
        return timelineStart[at] + (streamSample - streamStart[at]);
      }
    }
    return streamSample;
  }
}
