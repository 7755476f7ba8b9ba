package dev.hark.protocol;

import java.util.List;
import java.util.Map;

/**
 * One source's totals in {@code stopped}: {@code framesReceived = framesAccepted + framesDropped} once the
 * session has drained, where accepted means delivered to the recognizer.
 */
public record SourceStats(String source, long framesReceived, long framesAccepted, long framesDropped,
    Map<String, Long> droppedByReason, long bytesReceived, long audioMs, long seqMissing) {

  /** A session's totals over its sources. */
  public record Totals(long framesReceived, long framesAccepted, long framesDropped, long bytesReceived) {
    public static Totals of(List<SourceStats> sources) {
      long received = 0;
      long accepted = 0;
      long dropped = 0;
      long bytes = 0;
      for (SourceStats s : sources) {
        received += s.framesReceived();
        accepted += s.framesAccepted();
        dropped += s.framesDropped();
        bytes += s.bytesReceived();
      }
      return new Totals(received, accepted, dropped, bytes);
    }

    /** For logs: {@code frames received=R accepted=A dropped=D}. */
    @Override
    public String toString() {
      return "frames received=" + framesReceived + " accepted=" + framesAccepted + " dropped=" + framesDropped;
    }
  }
}
