package dev.hark.ingest;

/**
 * Maps positions in a stream that skips dropped chunks back to the source's timeline, which does not. Keeps one
 * segment per discontinuity, the most recent {@value #MAX_SEGMENTS}; a recognizer only asks about recent audio.
 */
final class Timeline {
  static final int MAX_SEGMENTS = 1024;

  private final long[] streamStart = new long[MAX_SEGMENTS];
  private final long[] timelineStart = new long[MAX_SEGMENTS];
  private int first;
  private int count;
  private volatile long streamSamples;
  private long nextTimeline = -1;

  /** A chunk of {@code samples} that starts at {@code timelineSample} was appended to the stream. */
  synchronized void append(long timelineSample, int samples) {
    if (timelineSample != nextTimeline) {
      int at = (first + count) % MAX_SEGMENTS;
      if (count == MAX_SEGMENTS) {
        first = (first + 1) % MAX_SEGMENTS;
      } else {
        count++;
      }
      streamStart[at] = streamSamples;
      timelineStart[at] = timelineSample;
    }
    streamSamples += samples;
    nextTimeline = timelineSample + samples;
  }

  long streamSamples() {
    return streamSamples;
  }

  synchronized long timelineSample(long streamSample) {
    if (count == 0) {
      return streamSample;
    }
    for (int i = count - 1; i >= 0; i--) {
      int at = (first + i) % MAX_SEGMENTS;
      if (streamStart[at] <= streamSample || i == 0) {
        return timelineStart[at] + (streamSample - streamStart[at]);
      }
    }
    return streamSample;
  }
}
