package dev.hark.ingest;

import dev.hark.protocol.OverflowPolicy;
import java.time.Duration;

/**
 * The ingest limits of one server.
 *
 * @param queueMax chunks per source queue
 * @param queueMaxMs milliseconds of audio per source queue, or 0 for no such bound
 * @param maxSources sources per session
 * @param sampleRate the sample rate of sessions that send no {@code start}
 * @param overflow the policy of sessions that name none
 * @param maxBufferedBytes the global budget of queued audio bytes
 * @param maxSessions concurrent sessions
 * @param statusInterval the least time between two backpressure or gap statuses of one source
 * @param shedHold the least time a shed source stays shed
 * @param shedInterval the least time between two sheddings anywhere on the server
 */
public record IngestSettings(int queueMax, int queueMaxMs, int maxSources, int sampleRate, OverflowPolicy overflow,
    long maxBufferedBytes, int maxSessions, Duration statusInterval, Duration shedHold, Duration shedInterval) {

  public static IngestSettings defaults() {
    return new IngestSettings(48, 0, 4, 16000, OverflowPolicy.DROP_OLDEST, 64L << 20, 2000,
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(100));
  }

  /** The byte bound of a queue at this sample rate, or 0 for none. */
  public long queueMaxBytes(int rate) {
    return queueMaxMs == 0 ? 0 : (long) queueMaxMs * rate * 2 / 1000;
  }

  public IngestSettings withQueue(int chunks, int ms) {
    return new IngestSettings(chunks, ms, maxSources, sampleRate, overflow, maxBufferedBytes, maxSessions,
        statusInterval, shedHold, shedInterval);
  }

  public IngestSettings withBudget(long bytes) {
    return new IngestSettings(queueMax, queueMaxMs, maxSources, sampleRate, overflow, bytes, maxSessions,
        statusInterval, shedHold, shedInterval);
  }

  public IngestSettings withShedHold(Duration hold) {
    return new IngestSettings(queueMax, queueMaxMs, maxSources, sampleRate, overflow, maxBufferedBytes, maxSessions,
        statusInterval, hold, shedInterval);
  }

  public IngestSettings withLimits(int sources, int sessions) {
    return new IngestSettings(queueMax, queueMaxMs, sources, sampleRate, overflow, maxBufferedBytes, sessions,
        statusInterval, shedHold, shedInterval);
  }
}
