package dev.hark.protocol;

import java.util.List;
import java.util.Map;

/** The messages the server sends; see docs/protocol.md. Droppable ones are shed when the client does not read. */
public sealed interface ServerMessage {

  /** Whether this message may be dropped when the client's socket is backed up (audio is never traded for it). */
  default boolean droppable() {
    return true;
  }

  /**
   * The answer to {@code start}. {@code resumeToken} (null when resuming is off) takes the session up again after a
   * lost connection; a resumed session's ready says {@code resumed} and each source's next expected {@code seq}.
   */
  record Ready(String sessionId, int sampleRate, int queueMax, OverflowPolicy overflow, List<String> sources,
      int maxSources, int maxMessagesPerSecond, String resumeToken, boolean resumed, Map<String, Long> nextSeq)
      implements ServerMessage {
    public Ready {
      nextSeq = nextSeq == null ? Map.of() : Map.copyOf(nextSeq);
    }

    @Override
    public boolean droppable() {
      return false;
    }
  }

  /** A change in one source's queue or admission; see {@link StatusState}. {@code reason} only for a shed source. */
  record Status(StatusState state, String source, long droppedFrames, int queueDepth, ShedReason reason)
      implements ServerMessage {}

  /** The client's {@code seq} numbers for a source skipped ahead: {@code missingFrames} is the running total. */
  record SeqGap(String source, long expectedSeq, long receivedSeq, long missingFrames) implements ServerMessage {}

  /** A typed error; {@code source} is null when the error is not about one source. */
  record ErrorMessage(ErrorCode code, String message, String source) implements ServerMessage {}

  /** A flush of {@code source} is done: every final for the audio sent before it went out before this. */
  record Flushed(String source) implements ServerMessage {
    @Override
    public boolean droppable() {
      return false;
    }
  }

  /** Every frame of {@code source} up to {@code seq} has arrived: the client may forget them. */
  record Ack(String source, long seq) implements ServerMessage {}

  /** The answer to {@code ping}. */
  record Pong() implements ServerMessage {}

  /** The last message of a session that ended with {@code stop}. */
  record Stopped(String sessionId, long durationMs, List<SourceStats> sources) implements ServerMessage {
    @Override
    public boolean droppable() {
      return false;
    }
  }

  /**
   * The server is ending the session ({@code reason}: {@code shutdown} or {@code max_duration}): no more audio is
   * taken; queued audio reaches the recognizer for up to {@code drainMs}, final transcripts and {@code stopped}
   * follow, then the socket closes with 1001.
   */
  record Closing(String reason, long drainMs) implements ServerMessage {
    @Override
    public boolean droppable() {
      return false;
    }
  }

  /** A recognition result on the source's audio timeline; a final one carries its words, a partial none. */
  record Transcript(String source, String text, boolean isFinal, long startMs, long endMs, List<Word> words)
      implements ServerMessage {
    public Transcript {
      words = List.copyOf(words);
    }

    @Override
    public boolean droppable() {
      return !isFinal;
    }
  }

}
