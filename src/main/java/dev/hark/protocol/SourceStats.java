package dev.hark.protocol;

import java.util.Map;

/**
 * One source's totals in {@code stopped}: {@code framesReceived = framesAccepted + framesDropped} once the
 * session has drained, where accepted means delivered to the recognizer.
 */
public record SourceStats(String source, long framesReceived, long framesAccepted, long framesDropped,
    Map<String, Long> droppedByReason, long bytesReceived, long audioMs, long seqMissing) {}
