package dev.hark.metrics;

import dev.hark.protocol.DropReason;
import io.micrometer.core.instrument.Counter;
import java.util.Map;

/** The counters of one source label, created once and reused for every chunk of every session with that label. */
public final class SourceMeters {
  private final Counter framesReceived;
  private final Counter bytesReceived;
  private final Counter framesConsumed;
  private final Map<DropReason, Counter> dropped;

  SourceMeters(Counter framesReceived, Counter bytesReceived, Counter framesConsumed,
      Map<DropReason, Counter> dropped) {
    this.framesReceived = framesReceived;
    this.bytesReceived = bytesReceived;
    this.framesConsumed = framesConsumed;
    this.dropped = dropped;
  }

  /** A valid chunk arrived (whatever then happens to it). */
  public void received(int bytes) {
    framesReceived.increment();
    bytesReceived.increment(bytes);
  }

  /**
   * Chunks counted as received that never arrived (lost with a connection, counted at a resume and dropped as
   * {@code disconnected}), so that received = consumed + dropped + queued holds for the metrics as for the session.
   */
  public void receivedUnsent(long frames) {
    framesReceived.increment((double) frames);
  }

  /** A chunk reached the recognizer. */
  public void consumed() {
    framesConsumed.increment();
  }

  public void dropped(DropReason reason, long frames) {
    dropped.get(reason).increment((double) frames);
  }
}
