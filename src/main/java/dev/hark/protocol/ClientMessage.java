package dev.hark.protocol;

import java.util.List;
import java.util.Map;

/** The messages a client sends; see docs/protocol.md for the wire form of each. */
public sealed interface ClientMessage extends Decoded {

  /**
   * Opens the session: sample rate, the sources (in binary-frame index order), the overflow policy, and each
   * source's priority (higher is kept longer when the recognizer is at capacity; absent is 0); null fields take
   * the defaults.
   */
  record Start(Integer sampleRate, List<String> sources, OverflowPolicy overflow, Map<String, Integer> priority,
      Resume resume) implements ClientMessage {
    public Start(Integer sampleRate, List<String> sources, OverflowPolicy overflow) {
      this(sampleRate, sources, overflow, Map.of(), null);
    }

    public Start(Integer sampleRate, List<String> sources, OverflowPolicy overflow, Map<String, Integer> priority) {
      this(sampleRate, sources, overflow, priority, null);
    }

    public Start {
      priority = priority == null ? Map.of() : Map.copyOf(priority);
    }
  }

  /**
   * A {@code start} that takes up a session whose connection was lost, instead of opening a new one;
   * {@code finals} is how many final transcripts the client has had of it (-1 if it does not say), so that those it
   * missed are sent again.
   */
  record Resume(String sessionId, String token, long finals) {}

  /** One chunk of PCM16 little-endian mono audio for a named source; {@code seq} is -1 when the client sent none. */
  record Audio(String source, byte[] pcm, long seq) implements ClientMessage {}

  /** One chunk from a binary frame: the source is given by its index in {@code start}'s sources. */
  record BinaryAudio(int sourceIndex, byte[] pcm) implements ClientMessage {}

  /** End of input: drain, send the final results and {@code stopped}, then close. */
  record Stop() implements ClientMessage {}

  /**
   * Asks for the final result of what the recognizer has of one source ({@code source} non-null) or of every source
   * now, without waiting for a pause; answered by the finals, then {@code flushed} per source.
   */
  record Flush(String source) implements ClientMessage {}

  /** Asks for a {@code pong}. */
  record Ping() implements ClientMessage {}

  Stop STOP = new Stop();
  Ping PING = new Ping();
}
