package dev.hark.protocol;

import java.util.List;

/** The messages a client sends; see docs/protocol.md for the wire form of each. */
public sealed interface ClientMessage extends Decoded {

  /** Opens the session: sample rate, the sources (in binary-frame index order) and the overflow policy; null fields take the defaults. */
  record Start(Integer sampleRate, List<String> sources, OverflowPolicy overflow) implements ClientMessage {}

  /** One chunk of PCM16 little-endian mono audio for a named source; {@code seq} is -1 when the client sent none. */
  record Audio(String source, byte[] pcm, long seq) implements ClientMessage {}

  /** One chunk from a binary frame: the source is given by its index in {@code start}'s sources. */
  record BinaryAudio(int sourceIndex, byte[] pcm) implements ClientMessage {}

  /** End of input: drain, send the final results and {@code stopped}, then close. */
  record Stop() implements ClientMessage {}

  /** Asks for a {@code pong}. */
  record Ping() implements ClientMessage {}

  Stop STOP = new Stop();
  Ping PING = new Ping();
}
